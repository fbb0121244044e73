import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { INVALIDATION_BOUND_MS, KEY_CACHE_TTL_MS } from "./fixtures/invalidation";
import { createPostgresDatabase, sharedInstanceEnv, startServerProcess, type ServerProcess } from "./fixtures/server-process";
import { uniqueClientIp } from "./sign-in";

// An order changed in the console of one instance reaches the gateway of another at once: the
// other instance had the key cached with the old window (30 s cache), and the change's
// invalidation travels through Redis.

test.describe("an order change on two instances sharing PostgreSQL and Redis", () => {
  test.describe.configure({ timeout: 240_000 });
  const admin = `order-admin-${randomBytes(4).toString("hex")}@example.com`;
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let a: ServerProcess;
  let b: ServerProcess;

  test.beforeAll(async () => {
    // A hook has the config's timeout, not the group's: two servers starting on loaded cores need more.
    test.setTimeout(240_000);
    db = await createPostgresDatabase("gatehouse_orders_two");
    const shared = sharedInstanceEnv(db.url, { ADMIN_EMAILS: admin, TRUSTED_PROXIES: "127.0.0.1/32", LOG_LEVEL: "info" });
    a = await startServerProcess(shared);
    b = await startServerProcess(shared);
  });
  test.afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  async function keyEnd(server: ServerProcess, key: string): Promise<string> {
    const response = await fetch(`${server.url}/v1/key`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { order: { access_end: string } }).order.access_end;
  }

  test("an admin shortens the window on one instance; /v1/key on the other shows the new end at once", async ({ page }) => {
    const created = await a.cli<{ order: { id: string; marketplaceOrderId: string }; apiKey: { key: string } }>(
      "order",
      "create",
      "--email",
      `two-${randomBytes(3).toString("hex")}@example.com`,
      "--plan",
      "Starter 30",
    );
    const before = await keyEnd(b, created.apiKey.key);
    // Instance B now holds the key in its cache.
    expect(await keyEnd(b, created.apiKey.key)).toBe(before);

    await page.setExtraHTTPHeaders({ "x-forwarded-for": uniqueClientIp() });
    await page.goto(`${a.url}/signin`);
    await page.getByLabel("Email address").fill(admin);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
    let link: string | undefined;
    await expect
      .poll(
        () =>
          (link = /\[sign-in link\] \S+ (\S+)/.exec(
            a
              .output()
              .split("\n")
              .find((l) => l.startsWith(`[sign-in link] ${admin} `)) ?? "",
          )?.[1]),
        {
          timeout: 10_000,
        },
      )
      .toBeTruthy();
    await page.goto(link!);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    // The link is built from the public URL (localhost): the session cookie belongs to that origin.
    const origin = new URL(link!).origin;
    await expect(page).toHaveURL(`${origin}/console`);

    await page.goto(`${origin}/console/orders/${created.order.id}`);
    const windowForm = page.getByRole("form", { name: "Change the access window" });
    await windowForm.getByLabel("Change", { exact: true }).selectOption("shorten");
    await windowForm.getByLabel("Amount", { exact: true }).fill("5");
    await windowForm.getByLabel("Unit", { exact: true }).selectOption("days");
    await windowForm.getByLabel("Reason (kept in the audit log)").fill("Sold as 25 days");
    // B's cached entry is read again just before the change: the sign-in above can take longer than
    // the key cache's 30 s TTL on loaded cores, and an entry that had expired would be reloaded
    // without any invalidation.
    expect(await keyEnd(b, created.apiKey.key)).toBe(before);
    const changedAt = Date.now();
    await windowForm.getByRole("button", { name: "Change the window" }).click();
    await expect(windowForm.getByRole("status")).toContainText("Access now ends");

    const expected = new Date(Date.parse(before) - 5 * 86_400_000).toISOString();
    // "At once": the invalidation is published before the action answers.
    await expect.poll(() => keyEnd(b, created.apiKey.key), { timeout: INVALIDATION_BOUND_MS, intervals: [50, 100, 200] }).toBe(expected);
    expect(Date.now() - changedAt).toBeLessThan(KEY_CACHE_TTL_MS);
    expect(await keyEnd(a, created.apiKey.key)).toBe(expected);
  });
});
