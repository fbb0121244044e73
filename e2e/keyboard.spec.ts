import { expect, test } from "@playwright/test";
import { buyAndSignIn } from "./fixtures/marketplace";

// Flows done with the keyboard alone, checking where focus lands and what is announced.

test.describe("keyboard", () => {
  test("reveal: Enter opens the confirmation, Reveal now puts focus on the selected key with an announcement, Tab reaches Copy", async ({ page, request }) => {
    test.setTimeout(60_000);
    await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 86_400_000) }, "Starter 30");
    await expect(page.getByTestId("reveal-announcement")).toBeAttached();
    await expect(page.getByTestId("reveal-announcement")).toHaveText("");

    await page.getByRole("button", { name: "Reveal key" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Reveal your API key?" });
    await expect(dialog).toBeVisible();
    // Escape closes it and gives focus back to the button.
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("button", { name: "Reveal key" })).toBeFocused();

    await page.keyboard.press("Enter");
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(dialog.getByRole("button", { name: "Reveal now" })).toBeFocused();
    await page.keyboard.press("Enter");

    const field = page.getByRole("textbox", { name: "Your API key" });
    await expect(field).toBeFocused();
    await expect(field).toHaveValue(/^sk-gate-/);
    // The whole key is selected, so Ctrl+C copies it.
    expect(await field.evaluate((el: HTMLInputElement) => el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0))).toBe(await field.inputValue());
    await expect(page.getByTestId("reveal-announcement")).toContainText("shown once");

    await page.keyboard.press("Tab");
    await expect(page.getByRole("button", { name: "Copy" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("copy-status")).not.toHaveText("");
  });

  test("rotate: the confirmation by keyboard, then focus on the new key's Reveal, described as the new key", async ({ page, request }) => {
    test.setTimeout(60_000);
    await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 86_400_000) }, "Pro 30");
    const rotate = page.getByRole("button", { name: "Rotate key" });
    await rotate.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Rotate this key?" });
    await expect(dialog).toBeVisible();
    // Escape gives focus back to the button that opened it.
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(rotate).toBeFocused();

    await page.keyboard.press("Enter");
    const overlap = dialog.getByLabel("Keep the old key working for");
    await overlap.focus();
    await overlap.selectOption("1h");
    await dialog.getByRole("button", { name: "Rotate", exact: true }).focus();
    await page.keyboard.press("Enter");

    // The old key keeps working for an hour, so its card stays, without its Rotate button; focus is
    // not lost with it but lands on the new key's Reveal, whose description says what happened.
    const revealNew = page.getByRole("button", { name: "Reveal key" });
    await expect(revealNew).toBeFocused();
    await expect(revealNew).toHaveAccessibleDescription(/Key rotated\. This is the new key/);
    await page.keyboard.press("Enter");
    await expect(page.getByRole("dialog", { name: "Reveal your API key?" })).toBeVisible();
  });
});
