import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createKey, gatehouse } from "./fixtures/cli";
import { hydrated } from "./fixtures/hydrated";
import { buyAndSignIn, keyCheck, reveal, sendEvent, sign, unique } from "./fixtures/marketplace";
import { startServerProcess } from "./fixtures/server-process";
import { waitForSignInLink } from "./mail";
import { uniqueClientIp } from "./sign-in";

// The buyer's path from the marketplace's webhook to a working key: the order arrives signed,
// the buyer follows the mailed link, reveals the key once, copies it, rotates it, and watches
// the access window run out.

test.describe("order page", () => {
  test("webhook order → mailed link → reveal once, copy, reload shows only the mask; rotation retires the old key", async ({ page, context, request }) => {
    test.setTimeout(90_000);
    // Forged and stale deliveries are refused and create nothing.
    const forgedBody = JSON.stringify({ event: "order.paid", order_id: "MP-FORGED", email: "forged@example.com", plan: "Pro 30" });
    expect((await sendEvent(request, JSON.parse(forgedBody) as Record<string, unknown>, sign(forgedBody, "not-the-secret"))).status).toBe(401);
    expect(
      (await sendEvent(request, JSON.parse(forgedBody) as Record<string, unknown>, sign(forgedBody, undefined, Math.floor(Date.now() / 1000) - 600))).status,
    ).toBe(401);

    const start = new Date(Date.now() - 3_600_000);
    const end = new Date(Date.now() + 2 * 86_400_000);
    const { orderId, path } = await buyAndSignIn(page, request, { start, end });
    await expect(page.getByTestId("order-status")).toContainText("Active");
    await expect(page.getByTestId("access-start").locator("time")).toHaveAttribute("datetime", start.toISOString());
    await expect(page.getByTestId("access-end").locator("time")).toHaveAttribute("datetime", end.toISOString());
    await expect(page.getByTestId("countdown")).toHaveText(/^1d 23:\d\d:\d\d$|^2d 00:00:00$/);
    await expect(page.getByTestId("key-status")).toHaveText("Active");

    // The replayed webhook is a duplicate.
    const replay = await sendEvent(request, { event: "order.paid", order_id: orderId, email: "x@example.com", plan: "Pro 30" });
    expect(replay.body).toMatchObject({ status: "duplicate" });

    // The dashboard lists it with its status and links here.
    await page.goto("/dashboard");
    const row = page.getByRole("row", { name: new RegExp(orderId) });
    await expect(row).toContainText("Active");
    await expect(row).toContainText("Pro 30");
    await expect(row).toContainText(/1 day 23 hours left|2 days left/);
    await row.getByRole("link", { name: orderId }).click();
    await expect(page).toHaveURL(new RegExp(`${path}$`));

    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const key = await reveal(page);
    const mask = await page.getByTestId("key-mask").textContent();
    expect(mask).toBe(`sk-gate-\u2026${key.slice(-4)}`);
    await page.getByRole("button", { name: "Copy" }).click();
    await expect(page.getByTestId("copy-status")).toHaveText("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await expect(page.getByText("it will not be shown again")).toBeVisible();

    // The key works at the gateway; it is in no page's HTML.
    expect((await keyCheck(request, key)).status).toBe(200);
    for (const url of [path, "/dashboard", "/setup"]) {
      const html = await (await page.request.get(url)).text();
      expect(html).toContain("Gatehouse");
      expect(html).not.toContain(key);
    }

    await page.reload();
    await expect(page.getByTestId("key-mask")).toHaveText(mask ?? "");
    await expect(page.getByRole("button", { name: "Reveal key" })).toHaveCount(0);
    await expect(page.getByRole("textbox", { name: "Your API key" })).toHaveCount(0);
    await expect(page.getByText(/Revealed on/)).toBeVisible();

    // Rotate with no overlap: a new key to reveal, the old one refused at once.
    await page.getByRole("button", { name: "Rotate key" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate this key?" });
    await dialog.getByLabel("Keep the old key working for").selectOption("none");
    await dialog.getByRole("button", { name: "Rotate" }).click();
    await expect(page.getByRole("button", { name: "Reveal key" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Earlier keys" })).toBeVisible();
    const newKey = await reveal(page);
    expect(newKey).not.toBe(key);
    const old = await keyCheck(request, key);
    expect(old.status).toBe(401);
    expect(old.body.error?.code).toBe("api_key_replaced");
    expect((await keyCheck(request, newKey)).status).toBe(200);
  });

  test("two reveals at once: one shows the key, the other says it was already revealed", async ({ page, context, request }) => {
    test.setTimeout(60_000);
    const { path } = await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 86_400_000) });
    const other = await context.newPage();
    await other.goto(path);
    for (const p of [page, other]) await (await hydrated(p.getByRole("button", { name: "Reveal key" }))).click();
    await Promise.all([page, other].map((p) => p.getByRole("dialog", { name: "Reveal your API key?" }).getByRole("button", { name: "Reveal now" }).click()));
    const shown = async (p: Page) => {
      await expect(p.getByRole("textbox", { name: "Your API key" }).or(p.getByRole("alert").filter({ hasText: "already revealed" }))).toBeVisible();
      return (await p.getByRole("textbox", { name: "Your API key" }).count()) > 0;
    };
    const results = await Promise.all([shown(page), shown(other)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  test("the countdown runs out on screen: Expired, the key hidden, the page refreshed without a reload", async ({ page, request }) => {
    test.setTimeout(90_000);
    const end = new Date(Date.now() + 25_000);
    const { path } = await buyAndSignIn(page, request, { start: new Date(Date.now() - 3_600_000), end });
    await expect(page.getByTestId("countdown")).toHaveText(/^00:00:\d\d$/);
    const key = await reveal(page);
    expect(key).toMatch(/^sk-gate-/);
    // Marks the document: a full reload would lose it, so its presence at the end proves there was none.
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    await expect(page.getByTestId("countdown")).toHaveText("Expired", { timeout: 40_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(end.getTime() - 1_000);
    await expect(page.getByRole("textbox", { name: "Your API key" })).toHaveCount(0);
    await expect(page.getByTestId("key-status")).toHaveText("Expired");
    await expect(page.getByTestId("order-status")).toContainText("Expired");
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    expect((await keyCheck(request, key)).status).toBe(401);
    expect(new URL(page.url()).pathname).toBe(path);
  });

  test("another buyer's order is not found", async ({ page, request }) => {
    const someoneElse = await createKey("Starter 30");
    const { path } = await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 86_400_000) }, "Starter 30");
    // Starter 30 does not include self-rotation: the card offers a request to support instead.
    await expect(page.getByRole("link", { name: "Report an exposed key or ask for a rotation" })).toHaveAttribute(
      "href",
      new RegExp(`^/support/new\\?category=KEY_EXPOSED&order=${path.split("/").pop()}$`),
    );
    await expect(page.getByRole("button", { name: "Rotate key" })).toHaveCount(0);
    expect((await page.goto(`/orders/${someoneElse.orderId}`))?.status()).toBe(404);
    expect((await page.goto("/orders/does-not-exist"))?.status()).toBe(404);
    expect(path).toMatch(/^\/orders\//);
  });

  test("an event for an unknown plan is kept as failed, listed by the CLI and applied by replay once the plan exists", async ({ request }) => {
    const id = unique();
    const plan = `E2E Plan ${id}`;
    const email = `late-${id}@example.com`;
    const failed = await sendEvent(request, { event: "order.paid", order_id: `MP-E2E-${id}`, email, plan });
    expect(failed).toMatchObject({ status: 422, body: { status: "failed", error: { code: "event_not_applied" } } });
    const listed = await gatehouse<{ events: { id: string; orderRef: string; reason: string }[] }>("webhook", "failed");
    const event = listed.events.find((e) => e.orderRef === `MP-E2E-${id}`);
    expect(event?.reason).toContain(`Unknown plan "${plan}"`);
    await gatehouse("plan", "add", "--name", plan, "--models", "gpt-4.1-mini", "--days", "30", "--rpm", "60");
    const since = new Date(Date.now() - 1_000);
    const replayed = await gatehouse<{ event: { status: string } }>("webhook", "replay", event?.id ?? "");
    expect(replayed.event.status).toBe("applied");
    expect(await waitForSignInLink(email, since)).toContain("/signin/confirm?");
    expect((await gatehouse<{ events: { id: string }[] }>("webhook", "failed")).events.some((e) => e.id === event?.id)).toBe(false);
  });
});

test.describe("guides", () => {
  test("the setup guide builds snippets from the public URL and copies them", async ({ page, context, baseURL }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.goto("/setup");
    const claude = page.locator("#claude-code");
    await expect(claude).toContainText(`ANTHROPIC_BASE_URL="${baseURL}"`);
    await expect(claude).toContainText("ANTHROPIC_AUTH_TOKEN");
    await expect(page.locator("#openai-python")).toContainText(`base_url="${baseURL}/v1"`);
    await expect(page.locator("#codex-cli")).toContainText(`base_url = "${baseURL}/v1"`);
    await claude.getByRole("button", { name: "Copy" }).click();
    await expect(claude.getByText("Copied")).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP=1");
  });

  test("the FAQ filters as you type, links each answer and ends with a ticket link", async ({ page }) => {
    await page.goto("/faq#powershell");
    await expect(page.getByRole("heading", { name: "How do I set the key in Windows PowerShell?" })).toBeVisible();
    await expect(page.getByRole("row", { name: /api_key_replaced/ })).toBeVisible();
    await page.getByLabel("Search the FAQ").fill("powershell");
    await expect(page.getByRole("heading", { name: /PowerShell/ })).toBeVisible();
    await expect(page.getByRole("heading", { name: /Why can I see my key only once/ })).toHaveCount(0);
    await page.getByLabel("Search the FAQ").fill("model_not_allowed");
    await expect(page.getByRole("row", { name: /model_not_allowed/ })).toBeVisible();
    await expect(page.getByRole("row", { name: /api_key_replaced/ })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Open a ticket" })).toHaveAttribute("href", "/support/new");
    // A request id from an error goes into the ticket form (through sign-in when signed out).
    await page.getByLabel("Request id (optional)").fill("req_0123456789abcdef01234567");
    await page.getByRole("button", { name: "Ask support about this request" }).click();
    await expect(page).toHaveURL(/\/signin\?.*support%2Fnew%3Frequest%3Dreq_0123456789abcdef01234567/);
  });
});

test("a revealed and rotated key never appears in the server's output", async ({ page, context }) => {
  test.setTimeout(180_000);
  const secret = `whsec-${randomBytes(16).toString("hex")}`;
  const server = await startServerProcess({
    LOG_LEVEL: "debug",
    MARKETPLACE_WEBHOOK_SECRET: secret,
    SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
    TRUSTED_PROXIES: "127.0.0.1/32",
  });
  try {
    const id = unique();
    const email = `logs-${id}@example.com`;
    const body = JSON.stringify({ event: "order.paid", order_id: `MP-LOGS-${id}`, email, plan: "Pro 30" });
    const since = new Date(Date.now() - 1_000);
    const paid = await fetch(`${server.url}/api/marketplace/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-marketplace-signature": sign(body, secret) },
      body,
    });
    expect(paid.status).toBe(200);
    const link = await waitForSignInLink(email, since);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.setExtraHTTPHeaders({ "x-forwarded-for": uniqueClientIp() });
    await page.goto(link.replace(/^http:\/\/localhost:\d+/, server.url.replace("127.0.0.1", "localhost")));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(/\/orders\//);
    const key = await reveal(page);
    const check = await fetch(`${server.url}/v1/key`, { headers: { authorization: `Bearer ${key}` } });
    expect(check.status).toBe(200);
    await page.getByRole("button", { name: "Rotate key" }).click();
    await page.getByRole("dialog", { name: "Rotate this key?" }).getByRole("button", { name: "Rotate" }).click();
    const next = await reveal(page);
    expect((await fetch(`${server.url}/v1/key`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    expect(await server.stop()).toBe(0);
    for (const k of [key, next]) {
      expect(server.output()).not.toContain(k);
      expect(server.output()).not.toContain(k.slice(8, 40));
    }
  } finally {
    await server.stop();
  }
});
