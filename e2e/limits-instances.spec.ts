import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { INVALIDATION_BOUND_MS } from "./fixtures/invalidation";
import { burstThenSpendOut, MODEL, send } from "./fixtures/limits-load";
import { createPostgresDatabase, sharedInstanceEnv, startServerProcess, type ServerProcess } from "./fixtures/server-process";

// Limits, money and caches across two instances of their own sharing PostgreSQL and Redis (the
// arithmetic: e2e/fixtures/limits-load.ts).

test.describe("two instances sharing PostgreSQL and Redis", () => {
  test.describe.configure({ timeout: 240_000 });
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let a: ServerProcess;
  let b: ServerProcess;

  test.beforeAll(async () => {
    // A hook has the config's timeout, not the group's: two servers starting on loaded cores need more.
    test.setTimeout(240_000);
    db = await createPostgresDatabase("gatehouse_two");
    const shared = sharedInstanceEnv(db.url);
    a = await startServerProcess(shared);
    b = await startServerProcess(shared);
  });
  test.afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
  });

  async function newKey(plan: { credit?: string; rpm: string }) {
    const name = `Two ${randomBytes(3).toString("hex")}`;
    await a.cli("plan", "add", "--name", name, "--models", MODEL, "--days", "1", "--rpm", plan.rpm, ...(plan.credit ? ["--credit", plan.credit] : []));
    const out = await a.cli<{ apiKey: { key: string } }>("order", "create", "--email", `two-${randomBytes(3).toString("hex")}@example.com`, "--plan", name);
    return out.apiKey.key;
  }

  test("the race holds across instances: no overspend, 18 succeed in all and the books agree", async () => {
    const key = await newKey({ rpm: "100000", credit: "0.0001" });
    const { sent } = await burstThenSpendOut((i) => send(i % 2 ? a.url : b.url, key));
    await expect
      .poll(async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM request_logs WHERE endpoint = '/v1/chat/completions'`))[0]!.n), {
        timeout: 10_000,
      })
      .toBe(sent);
    const [books] = await db.query<{ balance: string; debits: string; logged: string }>(
      `SELECT (SELECT sum("balanceMicros") FROM orders) AS balance,
              (SELECT coalesce(sum(-"amountMicros"), 0) FROM ledger_entries WHERE kind = 'DEBIT') AS debits,
              (SELECT coalesce(sum("costMicros"), 0) FROM request_logs) AS logged`,
    );
    expect(books).toEqual({ balance: "10", debits: "90", logged: "90" });
  });

  test("one rate-limit budget across instances", async () => {
    const key = await newKey({ rpm: "4" });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await send(i % 2 ? a.url : b.url, key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  test("rotation through one instance: the other refuses the old key within seconds, long before its cache would expire", async () => {
    const name = `Two rotate ${randomBytes(3).toString("hex")}`;
    await a.cli("plan", "add", "--name", name, "--models", MODEL, "--days", "1", "--rpm", "100000");
    const created = await a.cli<{ apiKey: { id: string; key: string } }>(
      "order",
      "create",
      "--email",
      `rot-${randomBytes(3).toString("hex")}@example.com`,
      "--plan",
      name,
    );
    expect((await send(b.url, created.apiKey.key)).status).toBe(200); // b has the key cached
    const rotated = await a.cli<{ apiKey: { key: string } }>("key", "rotate", created.apiKey.id);
    const at = Date.now();
    await expect
      .poll(async () => (await send(b.url, created.apiKey.key)).body.error?.code, { timeout: INVALIDATION_BOUND_MS, intervals: [50] })
      .toBe("api_key_replaced");
    expect(Date.now() - at).toBeLessThan(INVALIDATION_BOUND_MS);
    expect((await send(b.url, rotated.apiKey.key)).status).toBe(200);
  });

  test("a change made through one instance reaches the other's cache before its TTL would", async () => {
    const key = await newKey({ rpm: "100000" });
    expect((await send(b.url, key)).status).toBe(200); // b now holds the catalog in its cache
    const channels = await a.cli<{ channels: { name: string; models: string[] }[] }>("channel", "list");
    const openai = channels.channels.filter((c) => c.models.includes(MODEL));
    try {
      for (const c of openai) await a.cli("channel", "disable", c.name);
      const disabledAt = Date.now();
      await expect.poll(async () => (await send(b.url, key)).status, { timeout: INVALIDATION_BOUND_MS, intervals: [50] }).toBe(404);
      expect(Date.now() - disabledAt).toBeLessThan(INVALIDATION_BOUND_MS);
    } finally {
      for (const c of openai) await a.cli("channel", "enable", c.name);
    }
  });
});
