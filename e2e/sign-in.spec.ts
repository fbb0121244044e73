import { request as httpRequest } from "node:http";
import { expect, test } from "@playwright/test";
import { hydrated } from "./fixtures/hydrated";
import { mailTo, waitForSignInLink } from "./mail";
import { multipart, serverActionFields } from "./server-action-form";
import { DEMO, requestLink, uniqueClientIp } from "./sign-in";

const baseURL = process.env.E2E_BASE_URL ?? "";
const SESSION_COOKIE = "authjs.session-token";

test.describe("sign-in with an email link", () => {
  test.beforeEach(async ({ page }) => {
    await page.setExtraHTTPHeaders({ "x-forwarded-for": uniqueClientIp() });
  });

  test("a buyer signs in with the mailed link, lands on the dashboard and signs out; the link then no longer works", async ({ page, context }) => {
    const since = await requestLink(page, DEMO.buyer);
    const link = await waitForSignInLink(DEMO.buyer, since);
    expect(link.startsWith(`${baseURL}/signin/confirm?`)).toBe(true);

    await page.goto(link);
    await expect(page.getByRole("heading", { level: 1, name: "Sign in to Gatehouse" })).toBeVisible();
    await expect(page.getByRole("main")).toContainText(DEMO.buyer);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();

    await expect(page).toHaveURL(`${baseURL}/dashboard`);
    await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
    await expect(page.getByRole("row", { name: /DEMO-1001/ })).toContainText("Active");
    await expect(page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");

    // The account menu works from the keyboard: open it, find the address, close it with Escape.
    const menuButton = await hydrated(page.getByRole("button", { name: /Account menu for/ }));
    await menuButton.focus();
    await page.keyboard.press("Enter");
    await expect(menuButton).toHaveAttribute("aria-expanded", "true");
    await expect(page.getByText("Signed in as")).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(menuButton).toHaveAttribute("aria-expanded", "false");
    await expect(menuButton).toBeFocused();

    await menuButton.click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin\?signed-out=1$/);
    await expect(page.getByRole("status").filter({ hasText: "You are signed out." })).toBeVisible();
    expect((await context.cookies()).some((c) => c.name === SESSION_COOKIE)).toBe(false);

    await page.goto("/dashboard");
    await expect(page).toHaveURL(/\/signin\?next=%2Fdashboard$/);

    await page.goto(link);
    await expect(page.getByRole("heading", { level: 1, name: "This sign-in link cannot be used" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign in", exact: true })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Email me a new link" })).toHaveAttribute("href", "/signin");
  });

  test("pressing Sign in a second time, e.g. in another tab, shows that the link was used", async ({ page, context }) => {
    const since = await requestLink(page, DEMO.buyer);
    const link = await waitForSignInLink(DEMO.buyer, since);
    const otherTab = await context.newPage();
    await otherTab.goto(link);
    await page.goto(link);

    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(`${baseURL}/dashboard`);

    await otherTab.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(otherTab).toHaveURL(/\/signin\/error\?error=Verification$/);
    await expect(otherTab.getByRole("heading", { level: 1, name: "This sign-in link has expired or was already used" })).toBeVisible();
  });

  test("fetching the link, as a mail scanner does, neither signs in nor uses the link up", async ({ page, request }) => {
    const since = await requestLink(page, DEMO.support);
    const link = await waitForSignInLink(DEMO.support, since);

    for (const method of ["GET", "HEAD", "GET"] as const) {
      const response = await request.fetch(link, { method, maxRedirects: 0 });
      expect(response.status()).toBe(200);
      expect(response.headers()["set-cookie"] ?? "").not.toContain(SESSION_COOKIE);
    }
    // Auth.js's own callback URL, if someone built it from the token, does not sign in on a GET either.
    const token = new URL(link).searchParams;
    const callback = await request.get(`/api/auth/callback/email?${token}`, { maxRedirects: 0 });
    expect(callback.status()).toBe(303);
    expect(callback.headers()["location"]).toBe(`${baseURL}/signin/confirm?${new URLSearchParams({ token: token.get("token") ?? "", email: DEMO.support })}`);
    expect(callback.headers()["set-cookie"] ?? "").not.toContain(SESSION_COOKIE);

    await page.goto(link);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(`${baseURL}/console`);
  });

  test("an expired link says so and offers a new one", async ({ page }) => {
    test.setTimeout(60_000);
    const since = await requestLink(page, DEMO.buyer);
    const link = await waitForSignInLink(DEMO.buyer, since);
    // SIGN_IN_LINK_TTL_SECONDS is 20 in the tests.
    await page.waitForTimeout(21_000);

    await page.goto(link);
    await expect(page.getByRole("heading", { level: 1, name: "This sign-in link has expired" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign in", exact: true })).toHaveCount(0);
    await page.getByRole("link", { name: "Email me a new link" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  });

  test("a sign-in request with a forged Host header mails a link to the configured public URL only", async ({ request }) => {
    // The sign-in form's hidden fields name its server action; posting them calls it directly.
    const fields = serverActionFields(await (await request.get("/signin")).text(), 'name="email"');
    expect(fields.length).toBeGreaterThan(0);
    const { body, contentType } = await multipart([...fields, ["email", DEMO.admin]]);

    const since = new Date(Date.now() - 1_000);
    // node:http, because fetch clients refuse to send a Host of their choosing.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${baseURL}/signin`,
        {
          method: "POST",
          headers: {
            host: "evil.example",
            origin: "http://evil.example",
            "x-forwarded-host": "evil.example",
            "x-forwarded-proto": "https",
            "x-forwarded-for": uniqueClientIp(),
            "content-type": contentType,
            "content-length": body.length,
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    expect(status).toBeLessThan(500);

    const link = await waitForSignInLink(DEMO.admin, since);
    expect(new URL(link).origin).toBe(new URL(baseURL).origin);
    expect(link).not.toContain("evil.example");
    const raw = mailTo(DEMO.admin, since)
      .map((m) => m.raw)
      .join("\n");
    expect(raw).not.toContain("evil.example");
  });

  test("link requests are limited per address, and unknown addresses get the same answer", async ({ page }) => {
    const unknown = `nobody-${Date.now()}@example.com`;
    const since = new Date(Date.now() - 1_000);
    for (let i = 0; i < 5; i++) await requestLink(page, unknown);

    await page.goto("/signin");
    await page.getByLabel("Email address").fill(unknown);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Too many sign-in links were requested" })).toBeVisible();
    await expect(page.getByLabel("Email address")).toHaveValue(unknown);
    await expect(page).toHaveURL(/\/signin$/);

    // Nothing is mailed to an address that cannot sign in.
    await page.waitForTimeout(500);
    expect(mailTo(unknown, since)).toEqual([]);
  });

  test("an invalid address is explained next to the field", async ({ page }) => {
    await page.goto("/signin");
    await page.getByLabel("Email address").fill("not-an-address");
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect(page.getByText("Enter an email address like name@example.com.")).toBeVisible();
    await expect(page.getByLabel("Email address")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByLabel("Email address")).toBeFocused();
  });

  test("a signed-out visitor is sent to sign in and returned to the page they wanted", async ({ page }) => {
    await page.goto("/usage");
    await expect(page).toHaveURL(/\/signin\?next=%2Fusage$/);
    await page.getByLabel("Email address").fill(DEMO.buyer);
    const since = new Date(Date.now() - 1_000);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
    await page.goto(await waitForSignInLink(DEMO.buyer, since));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(`${baseURL}/usage`);
    await expect(page.getByRole("heading", { level: 1, name: "Usage" })).toBeVisible();
  });
});
