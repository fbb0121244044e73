import { expect, test, type Browser, type Page } from "@playwright/test";
import { buyAndSignIn, keyCheck, reveal } from "./fixtures/marketplace";
import { mailTo } from "./mail";
import { DEMO, signInAsNewStaff } from "./sign-in";
import { decodeQuotedPrintable } from "./smtp-sink";

// Support tickets end to end: a buyer reports an exposed key from the credential card, an agent
// finds the ticket, notes, rotates the key from the ticket and replies; the buyer is mailed, reads
// the reply (never the note) and reveals the new key; the old key is refused by /v1.

const NOTE = "Internal: checked the gist, key is live there";

async function agentPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInAsNewStaff(page, "SUPPORT");
  return page;
}

function mailText(email: string, since: Date): string {
  return mailTo(email, since)
    .map((m) => decodeQuotedPrintable(m.raw))
    .join("\n----\n");
}

test.describe("support tickets", () => {
  test("exposed key: buyer reports it → agent rotates from the ticket and replies → buyer is mailed and reveals the new key; the old one is refused", async ({
    page,
    browser,
    request,
  }) => {
    test.setTimeout(150_000);
    const since = new Date(Date.now() - 1_000);
    const { email, orderId, path } = await buyAndSignIn(
      page,
      request,
      { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 86_400_000) },
      "Starter 30",
    );
    const oldKey = await reveal(page);
    expect((await keyCheck(request, oldKey)).status).toBe(200);
    const orderUuid = path.split("/").pop()!;

    // The credential card opens the form filled in for a leak on this order.
    await page.goto(path);
    await page.getByRole("link", { name: /Report an exposed key/ }).click();
    await expect(page).toHaveURL(/\/support\/new\?category=KEY_EXPOSED&order=/);
    await expect(page.getByLabel("What is it about?")).toHaveValue("KEY_EXPOSED");
    await expect(page.getByLabel("Order")).toHaveValue(orderUuid);
    await page.getByLabel("Message").fill(`It was in a public gist: https://gist.example.com/abc <script>window.__injected = 1</script>`);
    await page.getByRole("button", { name: "Open ticket" }).click();
    await expect(page).toHaveURL(/\/support\/\d+\?opened=1$/);
    const number = Number(/\/support\/(\d+)/.exec(page.url())![1]);
    await expect(page.getByRole("status")).toContainText(`T-${number} is open`);
    // The body is text: the tag is shown, not run; the address is a link that opens elsewhere.
    await expect(page.getByTestId("ticket-message").first()).toContainText("<script>window.__injected = 1</script>");
    expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
    await expect(page.getByRole("link", { name: "https://gist.example.com/abc" })).toHaveAttribute("rel", /noopener/);

    // Agents hear of the new ticket by mail.
    await expect.poll(() => mailText(DEMO.support, since), { timeout: 10_000 }).toContain(`[T-${number}] New ticket`);

    // The agent finds it by the buyer's address, notes, rotates the key and replies.
    const agent = await agentPage(browser);
    await agent.goto("/console/tickets");
    await agent.getByLabel("Ticket, email, order or request id").fill(email);
    await agent.getByRole("button", { name: "Apply" }).click();
    await agent.getByRole("link", { name: new RegExp(`^T-${number}:`) }).click();
    await expect(agent.getByRole("heading", { level: 1 })).toContainText(`T-${number}`);
    await expect(agent.getByText("High", { exact: true }).first()).toBeVisible();

    await agent.getByLabel("Internal note").check();
    await agent.getByLabel("Internal note (staff only)").fill(NOTE);
    await agent.getByRole("button", { name: "Add note" }).click();
    await expect(agent.getByRole("status").filter({ hasText: "Internal note added" })).toBeVisible();
    await expect(agent.getByTestId("internal-note")).toContainText(NOTE);

    const lastFour = oldKey.slice(-4);
    await agent.getByRole("button", { name: `Rotate key ending in ${lastFour}` }).click();
    const dialog = agent.getByRole("dialog", { name: `Rotate the key ending in ${lastFour}?` });
    await dialog.getByLabel("The old key keeps working").selectOption("none");
    // A wrong confirmation changes nothing.
    await dialog.getByLabel(`Type ${lastFour} to confirm`).fill("nope");
    await dialog.getByRole("button", { name: "Rotate key" }).click();
    await expect(dialog.getByText(`Type the key's last four characters (${lastFour}) to confirm.`)).toBeVisible();
    expect((await keyCheck(request, oldKey)).status).toBe(200);
    await dialog.getByLabel(`Type ${lastFour} to confirm`).fill(lastFour);
    await dialog.getByRole("button", { name: "Rotate key" }).click();
    await expect(agent.getByText(/Key rotated \(new key ends in/)).toBeVisible();
    expect((await keyCheck(request, oldKey)).status).toBe(401);

    await agent.getByLabel("Reply to the buyer").fill("Done: the leaked key no longer works. Anything else?");
    await agent.getByRole("button", { name: "Send reply" }).click();
    await expect(agent.getByRole("status").filter({ hasText: "Reply sent" })).toBeVisible();

    // The buyer is mailed each reply, with a link to the ticket; never the note, never a key.
    await expect.poll(() => mailText(email, since), { timeout: 10_000 }).toContain("Anything else?");
    const buyerMail = mailText(email, since);
    expect(buyerMail).toContain(`[T-${number}] Support replied`);
    expect(buyerMail).toContain(`/support/${number}`);
    expect(buyerMail).toContain(`ending in ${lastFour}`);
    expect(buyerMail).not.toContain(NOTE);
    expect(buyerMail).not.toMatch(/sk-gate-[A-Za-z0-9]{10}/);

    // The buyer reads the replies; the note is in neither the page nor its RSC payload.
    await page.goto(`/support/${number}`);
    await expect(page.getByTestId("ticket-message")).toHaveCount(3);
    await expect(page.getByText("Anything else?")).toBeVisible();
    await expect(page.getByTestId("ticket-status")).toContainText("Waiting for your reply");
    expect(await page.content()).not.toContain(NOTE);
    for (const headers of [{}, { RSC: "1" }] as Record<string, string>[]) {
      const body = await (await page.request.get(`/support/${number}`, { headers })).text();
      expect(body).toContain("Anything else?");
      expect(body).not.toContain(NOTE);
    }

    // The new key is revealed once on the order page; the old one stays refused.
    await page.goto(path);
    const newKey = await reveal(page);
    expect(newKey).not.toBe(oldKey);
    expect((await keyCheck(request, newKey)).status).toBe(200);
    expect((await keyCheck(request, oldKey)).status).toBe(401);
    await page.reload();
    await expect(page.getByRole("button", { name: "Reveal key" })).toHaveCount(0);

    // Replying sends the ticket back to support.
    await page.goto(`/support/${number}`);
    await page.getByLabel("Your reply").fill("All good, thanks.");
    await page.getByRole("button", { name: "Send reply" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Reply sent" })).toBeVisible();
    await expect(page.getByTestId("ticket-status")).toContainText("Open: with support");

    // Another buyer cannot open the ticket; the order id is the only link between them.
    const other = await (await browser.newContext()).newPage();
    await buyAndSignIn(other, other.request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 86_400_000) }, "Starter 30");
    expect((await other.goto(`/support/${number}`))?.status()).toBe(404);
    expect(orderId).toMatch(/^MP-E2E-/);
  });
});
