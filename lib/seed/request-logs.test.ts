import { afterAll, beforeAll, expect, it } from "vitest";
import { runCommand } from "@/cli/command";
import { commands } from "@/cli/commands";
import { loadConfig } from "@/lib/config";
import { listRequests, requestListQuerySchema } from "@/lib/requests";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";

const secrets = { authSecret: "a".repeat(40), gatehouseSecret: "g".repeat(40), webhookSecret: "w".repeat(40), fromDataDir: [], generated: [] };

describeEachEngine("seed --requests", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
  });
  afterAll(() => t?.drop());
  const run = (...argv: string[]) =>
    runCommand(commands, argv, {
      // The command decides by the configured engine; the database itself is the test's.
      config: loadConfig(engine === "postgres" ? { DATABASE_URL: "postgresql://test@127.0.0.1:5432/test" } : {}),
      database: () => t.db,
      secrets: () => secrets,
    });

  it("refuses a count out of bounds before touching the database", async () => {
    for (const bad of ["0", "1.5", "lots", "10000001"]) {
      const out = await run("seed", "--no-demo", "--requests", bad);
      expect(out.exitCode, bad).toBe(2);
      expect(out.stderr).toMatch(/--requests must be a whole number from 1 to 10000000/);
    }
    expect(await t.db.prisma.requestLog.count()).toBe(0);
  });

  if (engine === "pglite") {
    it("refuses the embedded database", async () => {
      const out = await run("seed", "--no-demo", "--requests", "1000");
      expect(out).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/needs PostgreSQL/) });
      expect(await t.db.prisma.requestLog.count()).toBe(0);
    });
  } else {
    it("fills the log for five accounts in batches, in the gateway's id shape, and a second run adds to it", async () => {
      const out = await run("seed", "--no-demo", "--requests", "1_200", "--json");
      expect(out.exitCode).toBe(0);
      const body = JSON.parse(out.stdout) as { requests: { inserted: number; accounts: { email: string; keyId: string }[] } };
      expect(body.requests.inserted).toBe(1200);
      expect(body.requests.accounts.map((a) => a.email)).toEqual([1, 2, 3, 4, 5].map((i) => `scale-${i}@example.com`));
      expect(await t.db.prisma.requestLog.count()).toBe(1200);
      const sample = await t.db.prisma.requestLog.findFirstOrThrow({ where: { errorCode: null } });
      expect(sample.requestId).toMatch(/^req_[0-9a-f]{24}$/);
      expect(sample.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
      expect(sample.createdAt.getTime()).toBeGreaterThan(Date.now() - 31 * 86_400_000);
      // Every account has its share, and the console's filters find them.
      const scale1 = await listRequests(t.db.prisma, { query: requestListQuerySchema.parse({ email: "scale-1@example.com" }), take: 1000 });
      expect(scale1.rows).toHaveLength(240);
      expect((await listRequests(t.db.prisma, { query: requestListQuerySchema.parse({ code: "upstream_error" }), take: 1000 })).rows).toHaveLength(12);

      expect((await run("seed", "--no-demo", "--requests", "10")).exitCode).toBe(0);
      expect(await t.db.prisma.requestLog.count()).toBe(1210);
      expect(await t.db.prisma.order.count({ where: { marketplaceOrderId: { startsWith: "SCALE-" } } })).toBe(5);
    });

    it("--accounts 1 puts every request on the first scale account; a bad count is refused and writes nothing", async () => {
      const scale1 = async () =>
        (await listRequests(t.db.prisma, { query: requestListQuerySchema.parse({ email: "scale-1@example.com" }), take: 5000 })).rows.length;
      const [logsBefore, scale1Before] = [await t.db.prisma.requestLog.count(), await scale1()];
      for (const bad of ["0", "6", "x"]) {
        expect(await run("seed", "--no-demo", "--requests", "10", "--accounts", bad)).toMatchObject({
          exitCode: 2,
          stderr: expect.stringMatching(/--accounts must be a whole number from 1 to 5/),
        });
      }
      expect(await run("seed", "--no-demo", "--accounts", "1")).toMatchObject({
        exitCode: 2,
        stderr: expect.stringMatching(/--accounts goes with --requests/),
      });
      expect(await t.db.prisma.requestLog.count()).toBe(logsBefore);
      const out = await run("seed", "--no-demo", "--requests", "300", "--accounts", "1", "--json");
      expect(out.exitCode).toBe(0);
      expect((JSON.parse(out.stdout) as { requests: { accounts: { email: string }[] } }).requests.accounts.map((a) => a.email)).toEqual([
        "scale-1@example.com",
      ]);
      expect(await t.db.prisma.requestLog.count()).toBe(logsBefore + 300);
      expect(await scale1()).toBe(scale1Before + 300);
    });
  }
});
