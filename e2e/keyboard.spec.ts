import { expect, test, type Locator, type Page } from "@playwright/test";
import { createKey } from "./fixtures/cli";
import { buyAndSignIn } from "./fixtures/marketplace";
import { signInAsNewStaff } from "./sign-in";

// Flows done with the keyboard alone, checking where focus lands and what is announced.

/**
 * Focuses `button` and presses Enter until `opens` shows. A key pressed before the page has
 * hydrated reaches a button without its handler yet (a person would press again); this waits for
 * the page to be interactive, not for anything after that.
 */
/** Waits until React has hydrated `element` (its handlers are attached), so keys reach them. */
async function hydrated(element: Locator): Promise<void> {
  await expect.poll(() => element.evaluate((el) => Object.keys(el).some((k) => k.startsWith("__reactProps$"))), { timeout: 15_000 }).toBe(true);
}

async function pressUntilOpen(page: Page, button: Locator, opens: Locator): Promise<void> {
  await expect(async () => {
    await button.focus();
    await page.keyboard.press("Enter");
    await expect(opens).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
}

test.describe("keyboard", () => {
  test("reveal: Enter opens the confirmation, Reveal now puts focus on the selected key with an announcement, Tab reaches Copy", async ({ page, request }) => {
    test.setTimeout(60_000);
    await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 86_400_000) }, "Starter 30");
    await expect(page.getByTestId("reveal-announcement")).toBeAttached();
    await expect(page.getByTestId("reveal-announcement")).toHaveText("");

    const dialog = page.getByRole("dialog", { name: "Reveal your API key?" });
    await pressUntilOpen(page, page.getByRole("button", { name: "Reveal key" }), dialog);
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
    const dialog = page.getByRole("dialog", { name: "Rotate this key?" });
    await pressUntilOpen(page, rotate, dialog);
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

  test("ticket: a refused form puts focus on the field to correct; the ticket opens and takes a reply, all by keyboard", async ({ page, request }) => {
    test.setTimeout(90_000);
    await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 86_400_000) }, "Starter 30");
    await page.goto("/support/new");
    await hydrated(page.getByRole("button", { name: "Open ticket" }));
    const topic = page.getByLabel("What is it about?");
    await topic.focus();
    await page.keyboard.press("ArrowDown");
    await expect(topic).not.toHaveValue("");
    await page.keyboard.press("Tab"); // order
    await page.keyboard.press("Tab"); // subject, left empty
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("Message")).toBeFocused();
    await page.keyboard.type("The key stopped working an hour ago.");
    await page.keyboard.press("Tab"); // request ids
    await page.keyboard.press("Tab");
    await expect(page.getByRole("button", { name: "Open ticket" })).toBeFocused();
    await page.keyboard.press("Enter");

    // Refused for the missing subject: focus is on it, what was typed is kept.
    const subject = page.getByLabel("Subject");
    await expect(subject).toBeFocused();
    await expect(subject).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByLabel("Message")).toHaveValue("The key stopped working an hour ago.");
    await page.keyboard.type("Key refused");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/support\/\d+\?opened=1$/);

    // An empty reply is refused with focus in the box; a reply is sent with Enter on the button.
    const reply = page.getByLabel("Your reply");
    const send = page.getByRole("button", { name: "Send reply" });
    await hydrated(send);
    await send.focus();
    await page.keyboard.press("Enter");
    await expect(reply).toBeFocused();
    await page.keyboard.type("Still refused after a reload.");
    await page.keyboard.press("Tab");
    await expect(send).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("ticket-message").filter({ hasText: "Still refused after a reload." })).toBeVisible();
    await expect(reply).toHaveValue("");
  });

  test("agent: a request found by the id a buyer quoted, and the log sorted, by keyboard", async ({ page, request }) => {
    test.setTimeout(90_000);
    const { key } = await createKey();
    const answer = await request.post("/v1/chat/completions", {
      headers: { authorization: `Bearer ${key}` },
      data: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], max_tokens: 3 },
    });
    const requestId = answer.headers()["x-request-id"]!;
    await signInAsNewStaff(page, "SUPPORT");
    await page.goto("/console/requests");
    const lookup = page.getByLabel("Request id");
    await lookup.focus();
    // Pasted with the whitespace a copy brings along.
    await page.keyboard.type(`  ${requestId} `);
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`/console/requests/${requestId}$`), { timeout: 15_000 });
    await expect(page.getByRole("heading", { level: 1 })).toContainText(requestId);

    // Sorting a column keeps focus on its header, which then says how the table is sorted.
    await page.goto("/console/requests");
    const when = page.getByRole("link", { name: /^When/ });
    await hydrated(when);
    await when.focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/dir=asc/);
    await expect(page.getByRole("link", { name: /^When/ })).toBeFocused();
    await expect(page.getByRole("columnheader", { name: /When/ })).toHaveAttribute("aria-sort", "ascending");
  });
});
