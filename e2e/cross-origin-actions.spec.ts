import { expect, test } from "@playwright/test";
import { buyAndSignIn } from "./fixtures/marketplace";
import { multipart, serverActionFields } from "./server-action-form";

// Server actions refuse a call from another origin (CSRF): Next compares the Origin a browser
// sends with the Host (or a trusted proxy's X-Forwarded-Host; server.ts removes that header from
// anyone else). Posted here as another site's form would post it, with the buyer's own session
// cookie: refused, nothing written; the same post from our own origin opens the ticket.
// Side lane: an account and ticket of its own.

test("a server action posted from another origin, with the buyer's cookie, is refused and writes nothing", async ({ page, request, baseURL }) => {
  await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 10 * 86_400_000) });
  const html = await (await page.request.get("/support/new")).text();
  const fields = serverActionFields(html, 'name="subject"');
  expect(fields.length).toBeGreaterThan(0);
  const form = [...fields, ["category", "OTHER"], ["orderId", ""], ["subject", "Posted from elsewhere"], ["body", "This ticket must not exist."]] as [
    string,
    string,
  ][];
  const { body, contentType } = await multipart(form);

  const listed = async () => (await (await page.request.get("/support")).text()).includes("Posted from elsewhere");
  expect(await listed()).toBe(false);

  for (const origin of ["https://evil.example", "http://localhost.evil.example", "null", `${new URL(baseURL!).protocol}//127.0.0.1:1`]) {
    const refused = await page.request.post("/support/new", { data: body, headers: { "content-type": contentType, origin }, maxRedirects: 0 });
    expect(refused.status(), origin).toBeGreaterThanOrEqual(400);
    expect(refused.headers()["location"], origin).toBeUndefined();
    // Called as the client's fetch calls it (the Next-Action header): refused too.
    const actionId = fields.find(([name]) => name.startsWith("$ACTION_ID_"))?.[0].slice("$ACTION_ID_".length);
    if (actionId) {
      const fetched = await page.request.post("/support/new", {
        data: body,
        headers: { "content-type": contentType, origin, "next-action": actionId },
        maxRedirects: 0,
      });
      expect(fetched.status(), origin).toBeGreaterThanOrEqual(400);
    }
  }
  expect(await listed()).toBe(false);

  // The same form from our own origin is an ordinary post: the ticket opens.
  const accepted = await page.request.post("/support/new", {
    data: body,
    headers: { "content-type": contentType, origin: new URL(baseURL!).origin },
    maxRedirects: 0,
  });
  expect(accepted.status()).toBe(303);
  expect(accepted.headers()["location"]).toMatch(/\/support\/\d+\?opened=1$/);
  expect(await listed()).toBe(true);
});
