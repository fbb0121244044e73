import { expect, test, type Locator, type Page } from "@playwright/test";
import { createKey } from "./fixtures/cli";
import { hydrated } from "./fixtures/hydrated";
import { buyAndSignIn, keyCheck, reveal, sendEvent, unique } from "./fixtures/marketplace";
import { signInAsNewStaff } from "./sign-in";

// Flows done with the keyboard alone, checking where focus lands and what is announced.

/**
 * Focuses `button` and presses Enter until `opens` shows. A key pressed before the page has
 * hydrated reaches a button without its handler yet (a person would press again); this waits for
 * the page to be interactive, not for anything after that.
 */
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
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
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
    await expect(page.getByTestId("copy-status")).toContainText("Copied");
    // What Copy put on the clipboard is the key, whole.
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await field.inputValue());
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
      // A model whose demo channel no spec of the main lane switches off.
      data: { model: "gemini-2.5-flash", messages: [{ role: "user", content: "hi" }], max_tokens: 3 },
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

  test("agent: a key rotated from a ticket by keyboard — a wrong confirmation keeps focus in the field, the outcome takes focus", async ({
    page,
    request,
    browser,
  }) => {
    test.setTimeout(120_000);
    const { path } = await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 86_400_000) }, "Starter 30");
    const key = await reveal(page);
    const lastFour = key.slice(-4);
    await page.goto(`/support/new?category=KEY_EXPOSED&order=${path.split("/").pop()}`);
    await page.getByLabel("Subject").fill("Key in a public repository");
    await page.getByLabel("Message").fill("It was pushed to a public repository an hour ago.");
    await page.getByRole("button", { name: "Open ticket" }).click();
    await expect(page).toHaveURL(/\/support\/\d+\?opened=1$/);
    const number = /\/support\/(\d+)/.exec(page.url())![1];

    const agent = await (await browser.newContext()).newPage();
    await signInAsNewStaff(agent, "SUPPORT");
    await agent.goto(`/console/tickets/${number}`);
    const rotate = agent.getByRole("button", { name: `Rotate key ending in ${lastFour}` });
    const dialog = agent.getByRole("dialog", { name: `Rotate the key ending in ${lastFour}?` });
    await hydrated(rotate);
    await pressUntilOpen(agent, rotate, dialog);
    await agent.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(rotate).toBeFocused();

    await agent.keyboard.press("Enter");
    const overlap = dialog.getByLabel("The old key keeps working");
    const confirm = dialog.getByLabel(`Type ${lastFour} to confirm`);
    await overlap.focus();
    await expect(overlap).toHaveValue("none");
    await agent.keyboard.press("Tab");
    await expect(confirm).toBeFocused();
    await agent.keyboard.type("nope");
    await agent.keyboard.press("Tab"); // Cancel
    await agent.keyboard.press("Tab");
    await expect(dialog.getByRole("button", { name: "Rotate key" })).toBeFocused();
    await agent.keyboard.press("Enter");
    // Refused: focus back in the field to correct, the key still works.
    await expect(confirm).toBeFocused();
    await expect(confirm).toHaveAttribute("aria-invalid", "true");
    expect((await keyCheck(request, key)).status).toBe(200);

    await agent.keyboard.press("ControlOrMeta+a");
    await agent.keyboard.type(lastFour);
    await agent.keyboard.press("Enter");
    // The dialog and the Rotate button are gone; focus is on the outcome, which says what happened.
    const outcome = agent.getByRole("status").filter({ hasText: /Key rotated \(new key ends in/ });
    await expect(outcome).toBeFocused();
    await expect(dialog).toBeHidden();
    await expect(rotate).toHaveCount(0);
    expect((await keyCheck(request, key)).status).toBe(401);
    await agent.context().close();
  });

  test("agent: a console table filtered, paged and returned to its first page by keyboard", async ({ page, request }) => {
    test.setTimeout(120_000);
    // One more order than a page holds, all matching one filter.
    const tag = `kb-${unique()}`;
    const start = new Date(Date.now() - 60_000).toISOString();
    const end = new Date(Date.now() + 86_400_000).toISOString();
    for (let batch = 0; batch < 51; batch += 17) {
      await Promise.all(
        Array.from({ length: 17 }, async (_, i) => {
          const n = batch + i;
          const res = await sendEvent(request, {
            event: "order.paid",
            order_id: `MP-${tag}-${String(n).padStart(2, "0")}`,
            email: `${tag}-${n}@example.com`,
            plan: "Starter 30",
            access_start: start,
            access_end: end,
          });
          expect(res.status).toBe(200);
        }),
      );
    }
    await signInAsNewStaff(page, "SUPPORT");
    await page.goto("/console/orders");
    const search = page.getByLabel("Order id, account or email");
    await hydrated(search);
    await search.focus();
    await page.keyboard.type(tag);
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`q=${tag}`));
    const rows = page.getByRole("region", { name: "Orders" }).getByRole("row");
    await expect(rows).toHaveCount(51); // the header and 50
    // The filter keeps what was typed, and focus can go on from it to the pages.
    await expect(page.getByLabel("Order id, account or email")).toHaveValue(tag);

    const next = page.getByRole("navigation", { name: "Pages of orders" }).getByRole("link", { name: "Next page" });
    await hydrated(next);
    await next.focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/cursor=/);
    await expect(rows).toHaveCount(2); // the header and the 51st
    await expect(page.getByRole("navigation", { name: "Pages of orders" })).toContainText("Last page");
    const first = page.getByRole("navigation", { name: "Pages of orders" }).getByRole("link", { name: "First page" });
    await first.focus();
    await page.keyboard.press("Enter");
    await expect(page).not.toHaveURL(/cursor=/);
    await expect(page).toHaveURL(new RegExp(`q=${tag}`));
    await expect(rows).toHaveCount(51);
  });
});
