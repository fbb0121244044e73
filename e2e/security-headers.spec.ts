import { expect, test, type Page } from "@playwright/test";
import { buyAndSignIn, reveal } from "./fixtures/marketplace";
import { signInAsNewStaff } from "./sign-in";

// The browser-facing security of the portal and the console, in Chromium (side lane: only an
// account, order and key of its own, and a staff user of its own):
//  - every main page carries a Content-Security-Policy with a fresh nonce and 'strict-dynamic', no
//    eval, no framing, with nosniff and a same-origin referrer policy (no HSTS over plain http);
//  - under that policy the pages work: no `securitypolicyviolation` event, no console error, no
//    uncaught exception while a buyer signs in, reveals a key, opens the usage charts and moves
//    around by client-side navigation, and while an admin opens every console section;
//  - the session cookie is HttpOnly and SameSite=Lax (and not Secure over http).

/** Records what the browser refused or reported, in every document the page loads. */
function watch(page: Page): { problems: string[] } {
  const problems: string[] = [];
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${page.url()}: uncaught ${error.message}`));
  return { problems };
}

async function visit(page: Page, path: string): Promise<void> {
  const response = await page.goto(path);
  expect(response?.status(), path).toBeLessThan(400);
  const headers = response!.headers();
  const policy = headers["content-security-policy"] ?? "";
  expect(policy, path).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'(;|$)/);
  expect(policy, path).toContain("frame-ancestors 'none'");
  expect(policy, path).toContain("object-src 'none'");
  expect(policy, path).not.toContain("unsafe-eval");
  expect(headers["x-content-type-options"], path).toBe("nosniff");
  expect(headers["referrer-policy"], path).toBe("same-origin");
  expect(headers["strict-transport-security"], path).toBeUndefined();
  // Every script Next rendered carries this response's nonce, or the browser would refuse it.
  const nonce = /'nonce-([^']+)'/.exec(policy)![1];
  const scripts = await page.locator("script").evaluateAll((elements) => elements.map((e) => (e as HTMLScriptElement).nonce));
  expect(scripts.length, path).toBeGreaterThan(0);
  expect(new Set(scripts), path).toEqual(new Set([nonce]));
  // Hydrated: React's client code ran under the policy.
  await page.waitForLoadState("networkidle");
}

test("pages carry a strict nonce policy and work under it: buyer and admin, no violations", async ({ page, browser, request }) => {
  test.setTimeout(120_000);
  const { problems } = watch(page);

  // Signed out: the landing page, the guide and the sign-in form; a fresh nonce each time.
  for (const path of ["/", "/faq", "/setup", "/signin"]) await visit(page, path);
  const nonces = new Set<string>();
  for (let i = 0; i < 3; i++) nonces.add((await request.get("/signin")).headers()["content-security-policy"] ?? "");
  expect(nonces.size).toBe(3);

  // A buyer: signs in through the mailed link, reveals the key (a client dialog), uses it once so
  // the usage charts have data, and opens each portal page.
  const { path: orderPath } = await buyAndSignIn(page, request, { start: new Date(Date.now() - 3_600_000), end: new Date(Date.now() + 10 * 86_400_000) });
  const key = await reveal(page);
  const chat = await request.post("/v1/chat/completions", {
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    data: { model: "gpt-4.1-mini", max_tokens: 8, messages: [{ role: "user", content: "Hello there" }] },
  });
  expect(chat.status()).toBe(200);
  expect(chat.headers()["x-content-type-options"]).toBe("nosniff");
  expect(chat.headers()["content-security-policy"]).toBeUndefined();

  const session = (await page.context().cookies()).find((c) => c.name.endsWith("authjs.session-token"));
  expect(session).toMatchObject({ name: "authjs.session-token", httpOnly: true, sameSite: "Lax", secure: false });

  for (const path of ["/dashboard", orderPath, "/usage", "/usage/requests", "/usage/balance", "/support", "/support/new", "/settings"]) await visit(page, path);
  // The usage charts drew (Recharts' SVG), under the policy's style rules. The table is rendered on
  // the server once the request is metered; the chart is drawn in the browser after hydration and
  // a measure of its box, so it is waited for on the page that has the data, not counted at once.
  await expect
    .poll(
      async () => {
        await page.goto("/usage");
        return page.getByTestId("usage-table").count();
      },
      { timeout: 30_000 },
    )
    .toBe(1);
  await expect(page.locator(".recharts-surface").first()).toBeVisible({ timeout: 20_000 });
  // Client-side navigation fetches the next page's payload under the same policy.
  await page.goto("/dashboard");
  await page.getByRole("link", { name: "Support", exact: true }).first().click();
  await expect(page).toHaveURL(/\/support$/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();

  // An admin, in a browser of their own: every console section.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  const adminWatch = watch(admin);
  await signInAsNewStaff(admin, "ADMIN");
  for (const path of [
    "/console",
    "/console/tickets",
    "/console/orders",
    "/console/keys",
    "/console/requests",
    "/console/users",
    "/console/plans",
    "/console/prices",
    "/console/channels",
    "/console/events",
    "/console/audit",
  ])
    await visit(admin, path);
  await adminContext.close();

  expect([...problems, ...adminWatch.problems]).toEqual([]);

  // The watch sees what the policy refuses: injected markup's inline handler and eval do not run, and are reported.
  await page.goto("/dashboard");
  const ran = await page.evaluate(async () => {
    const w = window as unknown as { __injected?: boolean };
    document.body.insertAdjacentHTML("beforeend", '<img src="/no-such-image.png" onerror="window.__injected = true">');
    await new Promise((resolve) => setTimeout(resolve, 500));
    let evaluated = false;
    try {
      evaluated = (0, eval)("true") as boolean;
    } catch {
      // EvalError: refused by the policy
    }
    return { handler: w.__injected === true, evaluated };
  });
  expect(ran).toEqual({ handler: false, evaluated: false });
  await expect.poll(() => problems.some((p) => p.includes("CSP violation: script-src"))).toBe(true);
});
