import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createPostgresDatabase, sharedInstanceEnv, startServerProcess, type ServerProcess } from "./fixtures/server-process";
import { uniqueClientIp } from "./sign-in";

// Sign-in link limits on two instances sharing PostgreSQL and Redis: requests for one address
// alternate between the instances, and together they send 5 links per 15 minutes, not 5 each.
// Without SMTP_URL each instance prints the links it sends to its own output.

test.describe("sign-in links on two instances sharing PostgreSQL and Redis", () => {
  test.describe.configure({ timeout: 240_000 });
  // A new address each run: its count stays in Redis for 15 minutes.
  const email = `shared-limit-${randomBytes(4).toString("hex")}@example.com`;
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let a: ServerProcess;
  let b: ServerProcess;

  test.beforeAll(async () => {
    // A hook has the config's timeout, not the group's: two servers starting on loaded cores need more.
    test.setTimeout(240_000);
    db = await createPostgresDatabase("gatehouse_sign_in_two");
    const shared = sharedInstanceEnv(db.url, {
      // An address in ADMIN_EMAILS may sign in before its user exists, so links are really sent.
      ADMIN_EMAILS: email,
      // The test acts as the proxy: each request comes from a client IP of its own, so only the
      // per-address limit is in play.
      TRUSTED_PROXIES: "127.0.0.1/32",
      LOG_LEVEL: "info",
    });
    a = await startServerProcess(shared);
    b = await startServerProcess(shared);
  });
  test.afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  /** Links `server` printed for the address. */
  const linksSentBy = (server: ServerProcess) =>
    server
      .output()
      .split("\n")
      .filter((line) => line.startsWith(`[sign-in link] ${email} `)).length;

  async function askForLink(page: Page, server: ServerProcess) {
    await page.setExtraHTTPHeaders({ "x-forwarded-for": uniqueClientIp() });
    await page.goto(`${server.url}/signin`);
    await page.getByLabel("Email address").fill(email);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  }

  test("5 links per address in all, whichever instance is asked; the 6th and later are refused and not sent", async ({ page }) => {
    const instances = [a, b];
    for (let i = 0; i < 5; i++) {
      await askForLink(page, instances[i % 2]!);
      await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
    }
    // Links go out after the answer.
    await expect.poll(() => [linksSentBy(a), linksSentBy(b)], { timeout: 10_000 }).toEqual([3, 2]);

    for (const server of [b, a]) {
      await askForLink(page, server);
      await expect(page.getByRole("status").filter({ hasText: "Too many sign-in links were requested" })).toBeVisible();
      await expect(page.getByLabel("Email address")).toHaveValue(email);
    }
    await page.waitForTimeout(1_000);
    expect([linksSentBy(a), linksSentBy(b)]).toEqual([3, 2]);
    expect(b.output()).toContain("sign-in link refused: too many requests for this address");
    expect(a.output()).toContain("sign-in link refused: too many requests for this address");
  });
});
