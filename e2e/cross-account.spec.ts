import { expect, test } from "@playwright/test";
import { buyAndSignIn, reveal } from "./fixtures/marketplace";
import { multipart, serverActionFields } from "./server-action-form";

// IDOR through the real server: buyer B, signed in, opens buyer A's order, key settings, ticket,
// logged request, usage, balance and CSV export by their ids. Every page is a 404 or shows only
// B's own; A's key still works afterwards. (lib/actions/cross-account.test.ts tries every buyer
// action and loader the same way on both engines.) Side lane: two accounts of its own.

test("buyer B gets 404 or nothing for each of buyer A's objects", async ({ browser, request, baseURL }) => {
  test.setTimeout(60_000);
  const window = { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 10 * 86_400_000) };
  const aContext = await browser.newContext();
  const aPage = await aContext.newPage();
  const a = await buyAndSignIn(aPage, request, window);
  const aKey = await reveal(aPage);
  const keyLink = aPage.locator('a[href*="/keys/"]').first();
  const keyPath = (await keyLink.getAttribute("href")) ?? "";
  expect(keyPath).toMatch(/^\/orders\/[^/]+\/keys\/[^/]+$/);
  const call = await request.post("/v1/chat/completions", {
    headers: { authorization: `Bearer ${aKey}`, "content-type": "application/json" },
    data: { model: "gpt-4.1-mini", max_tokens: 8, messages: [{ role: "user", content: "Hello there" }] },
  });
  expect(call.status()).toBe(200);
  const requestId = call.headers()["x-request-id"]!;
  expect(requestId).toMatch(/^req_/);
  const fields = serverActionFields(await (await aPage.request.get("/support/new")).text(), 'name="subject"');
  const { body, contentType } = await multipart([
    ...fields,
    ["category", "OTHER"],
    ["orderId", ""],
    ["subject", "A's private question"],
    ["body", "Only A may read this."],
  ]);
  const opened = await aPage.request.post("/support/new", {
    data: body,
    headers: { "content-type": contentType, origin: new URL(baseURL!).origin },
    maxRedirects: 0,
  });
  const ticketPath = new URL(opened.headers()["location"] ?? "", baseURL).pathname;
  expect(ticketPath).toMatch(/^\/support\/\d+$/);
  // A's request reaches the log (the usage writer flushes in the background).
  await expect.poll(async () => (await aPage.request.get(`/usage/requests/${requestId}`)).status(), { timeout: 15_000 }).toBe(200);

  const bContext = await browser.newContext();
  const bPage = await bContext.newPage();
  await buyAndSignIn(bPage, request, window);
  for (const path of [a.path, keyPath, ticketPath, `/usage/requests/${requestId}`]) {
    const response = await bPage.request.get(path);
    expect(response.status(), path).toBe(404);
    const text = await response.text();
    expect(text, path).not.toContain(a.orderId);
    expect(text, path).not.toContain("private question");
  }
  const orderId = a.path.split("/")[2]!;
  const keyId = keyPath.split("/")[4]!;
  // Finding A's request by its id says it is not in B's log (echoing the id B typed), and opens nothing.
  const found = await bPage.request.get(`/usage/requests?id=${requestId}`, { maxRedirects: 0 });
  expect(found.status()).toBe(200);
  expect(await found.text()).toContain(`No request ${requestId} in your log`);
  for (const path of [`/usage?order=${orderId}`, `/usage/requests?order=${orderId}&key=${keyId}`, "/usage/balance", "/support", "/dashboard"]) {
    const response = await bPage.request.get(path);
    expect(response.status(), path).toBe(200);
    const text = await response.text();
    for (const secret of [a.orderId, requestId, "private question"]) expect(text, `${path} shows ${secret}`).not.toContain(secret);
  }
  for (const query of ["", `?order=${orderId}`, `?key=${keyId}`]) {
    const csv = await bPage.request.get(`/usage/requests/export${query}`);
    expect(csv.status()).toBe(200);
    const text = await csv.text();
    expect(text).not.toContain(requestId);
    expect(text).not.toContain(a.orderId);
  }

  // A's key still works, and A still sees all of it.
  const again = await request.get("/v1/key", { headers: { authorization: `Bearer ${aKey}` } });
  expect(again.status()).toBe(200);
  expect((await aPage.request.get(ticketPath)).status()).toBe(200);
  await aContext.close();
  await bContext.close();
});
