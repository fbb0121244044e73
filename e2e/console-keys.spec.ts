import { expect, test, type Page } from "@playwright/test";
import { createKey, loggedRequest } from "./fixtures/cli";
import { multipart, serverActionFields } from "./server-action-form";
import { signIn, signInAsNewStaff } from "./sign-in";

// The console's Keys and Requests pages against the real server: an agent goes from the request id
// a buyer quoted to the key, acts on it, and the gateway (which caches keys) obeys at once.

const base = () => process.env.E2E_BASE_URL!;

/** One gateway request with `key`; returns its status and x-request-id. */
async function callGateway(key: string): Promise<{ status: number; requestId: string; body: { error?: { code?: string } } }> {
  const res = await fetch(`${base()}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4.1-mini", messages: [{ role: "user", content: "hello console" }], max_tokens: 4 }),
  });
  return { status: res.status, requestId: res.headers.get("x-request-id") ?? "", body: (await res.json()) as { error?: { code?: string } } };
}

async function keyStatus(key: string): Promise<{ status: number; body: { status?: string; error?: { code?: string } } }> {
  const res = await fetch(`${base()}/v1/key`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as { status?: string; error?: { code?: string } } };
}

/** The page's HTML and its RSC payload (what a client-side navigation fetches) hold no key. */
async function expectNoKeyIn(page: Page, key: string) {
  const path = new URL(page.url()).pathname + new URL(page.url()).search;
  const html = await (await page.request.get(path)).text();
  const rsc = await (await page.request.get(path, { headers: { RSC: "1" } })).text();
  for (const text of [html, rsc, await page.content()]) {
    expect(text).not.toContain(key);
    expect(text).not.toMatch(/sk-gate-[0-9A-Za-z]{20,}/);
  }
}

test.describe("console: keys and requests", () => {
  // Two sign-ins by mailed link and several round trips each: more than the default on a busy machine.
  test.setTimeout(120_000);

  test("an agent finds a request by the id a buyer quoted, opens its key and rotates it with a one-hour overlap", async ({ page, browser }) => {
    const { key, keyId } = await createKey("Starter 30");
    const call = await callGateway(key);
    expect(call.status).toBe(200);
    await loggedRequest(call.requestId);

    const agentEmail = await signInAsNewStaff(page, "SUPPORT");
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Requests" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Requests" })).toBeVisible();
    // Pasted from the buyer's message, with the spaces and line break that came along.
    await page.getByRole("searchbox", { name: "Request id" }).fill(`  ${call.requestId}\n `);
    await page.getByRole("button", { name: "Open request" }).click();
    await expect(page).toHaveURL(new RegExp(`/console/requests/${call.requestId}$`));
    await expect(page.getByRole("heading", { level: 1, name: call.requestId })).toBeVisible();
    await expect(page.getByText("Prompts and completions are never stored")).toBeVisible();
    await expect(page.getByRole("definition").filter({ hasText: "gpt-4.1-mini" }).first()).toBeVisible();
    await expectNoKeyIn(page, key);

    await page.getByRole("link", { name: `sk-gate-…${key.slice(-4)}` }).click();
    await expect(page).toHaveURL(new RegExp(`/console/keys/${keyId}$`));
    await expect(page.getByRole("link", { name: call.requestId })).toBeVisible();
    await expectNoKeyIn(page, key);

    const rotate = page.getByRole("region", { name: "Rotate" });
    await rotate.getByLabel("Old key keeps working").selectOption("1h");
    await rotate.getByLabel("Reason (optional)").fill("Buyer pasted the key in a ticket");
    await rotate.getByRole("button", { name: "Rotate key" }).click();
    await expect(page.getByRole("status").filter({ hasText: /^Rotated\. The old key keeps working until/ })).toBeVisible();
    await expectNoKeyIn(page, key);
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Replaced");
    await expect(page.getByRole("link", { name: /^New key …/ })).toBeVisible();

    // Within the overlap the old key still works, and says so.
    const old = await keyStatus(key);
    expect(old).toMatchObject({ status: 200, body: { status: "replaced_in_overlap" } });
    expect((await callGateway(key)).status).toBe(200);

    // The audit log (admins) shows the act, the agent and the reason.
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signInAsNewStaff(admin, "ADMIN");
    await admin.goto(`/console/audit?q=${keyId}`);
    const entry = admin.getByRole("row", { name: /api_key\.rotated/ });
    await expect(entry).toContainText(agentEmail);
    await expect(entry).toContainText("Buyer pasted the key in a ticket");
    await adminContext.close();
  });

  test("disable, enable and delete act on the gateway at once; the request history stays", async ({ page }) => {
    const { key, keyId } = await createKey("Starter 30");
    const first = await callGateway(key);
    expect(first.status).toBe(200);
    await loggedRequest(first.requestId);

    await signInAsNewStaff(page, "SUPPORT");
    await page.goto("/console/keys");
    await page.getByRole("searchbox", { name: "Last four, key id, email or order id" }).fill(keyId);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: `sk-gate-…${key.slice(-4)}` }).click();
    await expect(page).toHaveURL(new RegExp(`/console/keys/${keyId}$`));

    const disable = page.getByRole("region", { name: "Disable" });
    await disable.getByLabel("Reason").fill("Abuse report");
    await disable.getByRole("button", { name: "Disable key" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Disabled. The gateway refuses the key from now on." })).toBeVisible();
    expect(await callGateway(key)).toMatchObject({ status: 401, body: { error: { code: "api_key_disabled" } } });

    await page.reload();
    const enable = page.getByRole("region", { name: "Enable" });
    await enable.getByRole("button", { name: "Enable key" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Enabled. The key works again." })).toBeVisible();
    expect((await callGateway(key)).status).toBe(200);

    await page.reload();
    const remove = page.getByRole("region", { name: "Delete" });
    await remove.getByLabel(/to confirm$/).fill("nope");
    await remove.getByLabel("Reason").fill("Buyer closed the account");
    await remove.getByRole("button", { name: "Delete key" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Type the key's last four characters exactly to confirm." })).toBeVisible();
    await remove.getByLabel(/to confirm$/).fill(key.slice(-4));
    await remove.getByRole("button", { name: "Delete key" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Deleted." })).toBeVisible();
    expect(await callGateway(key)).toMatchObject({ status: 401, body: { error: { code: "invalid_api_key" } } });

    await page.goto(`/console/requests?key=${keyId}`);
    await expect(page.getByRole("link", { name: first.requestId })).toBeVisible();
  });

  test("a buyer gets 404 for the pages and the key actions, and the key is untouched", async ({ page, browser }) => {
    const { key, keyId, email } = await createKey("Starter 30");
    const call = await callGateway(key);
    await loggedRequest(call.requestId);

    // The rotate form's hidden fields, from the key page as support sees it, name the server action.
    const agentContext = await browser.newContext();
    const agent = await agentContext.newPage();
    await signInAsNewStaff(agent, "SUPPORT");
    const html = await (await agent.request.get(`/console/keys/${keyId}`)).text();
    const actionFields = serverActionFields(html, `name="keyId" value="${keyId}"`);
    expect(actionFields.length).toBeGreaterThan(0);
    await agentContext.close();

    // The key's own buyer (demo addresses are kept for the sign-in specs: links are limited per address).
    await signIn(page, email);
    for (const path of [
      "/console/keys",
      `/console/keys/${keyId}`,
      "/console/requests",
      `/console/requests/${call.requestId}`,
      `/console/requests?id=${call.requestId}`,
    ]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
    }
    const { body, contentType } = await multipart([...actionFields, ["keyId", keyId], ["overlap", "none"]]);
    const direct = await page.request.post(`/console/keys/${keyId}`, { data: body, headers: { "content-type": contentType, origin: new URL(base()).origin } });
    expect(direct.status()).toBe(404);
    expect(await keyStatus(key)).toMatchObject({ status: 200, body: { status: "active" } });
  });
});
