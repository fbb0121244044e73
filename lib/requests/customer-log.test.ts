import { afterAll, beforeAll, expect, it } from "vitest";
import { flushUsage, recordUsage } from "@/lib/gateway/usage-writer";
import { createAccounts, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { usageRecord } from "@/test/usage-record";
import { getCustomerBalances } from "@/lib/usage";
import { eachCustomerRequest, getCustomerRequest, listCustomerRequests, requestLogQuerySchema } from "./index";

describeEachEngine("a buyer's request log and balance", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  const alice = () => ({ orderId: a.alice.orderId, keyId: a.alice.apiKeyId, customerId: a.alice.user.customerId! });
  const bob = () => ({ orderId: a.bob.orderId, keyId: a.bob.apiKeyId, customerId: a.bob.user.customerId! });
  const ids: string[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    // 25 requests for Alice over two UTC days (3 failed), 5 for Bob; written the way the gateway writes them.
    const day1 = Date.parse("2026-11-30T10:00:00Z");
    const day2 = Date.parse("2026-12-01T10:00:00Z");
    for (let i = 0; i < 25; i++) {
      const failed = i % 10 === 9;
      const record = usageRecord(alice(), {
        createdAt: new Date((i < 10 ? day1 : day2) + i * 1000),
        model: i % 2 ? "claude-sonnet-4-6" : "gpt-4.1-mini",
        status: failed ? 429 : 200,
        errorCode: failed ? "rate_limited" : null,
        costMicros: failed ? 0n : BigInt(100 + i),
      });
      ids.push(record.requestId);
      recordUsage(() => t.db, record);
    }
    for (let i = 0; i < 5; i++) recordUsage(() => t.db, usageRecord(bob(), { createdAt: new Date(day2) }));
    await flushUsage({ all: true });
  });
  afterAll(async () => {
    await t?.drop();
  });

  const query = (params: Record<string, string> = {}) => requestLogQuerySchema.parse(params);

  it("lists only the account's own requests, newest first, a page at a time", async () => {
    const first = await listCustomerRequests(t.db.prisma, { customerId: alice().customerId, query: query(), take: 10 });
    expect(first.rows).toHaveLength(10);
    expect(first.nextCursor).not.toBeNull();
    const times = first.rows.map((r) => r.createdAt.getTime());
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    const all = [];
    for await (const row of eachCustomerRequest(t.db.prisma, { customerId: alice().customerId, query: query(), batch: 7 })) all.push(row.requestId);
    expect(all.sort()).toEqual([...ids].sort());
  });

  it("filters by outcome, error code, model, key and UTC day", async () => {
    const count = async (params: Record<string, string>) => {
      const rows = [];
      for await (const row of eachCustomerRequest(t.db.prisma, { customerId: alice().customerId, query: query(params) })) rows.push(row);
      return rows.length;
    };
    expect(await count({ outcome: "error" })).toBe(2);
    expect(await count({ outcome: "ok" })).toBe(23);
    expect(await count({ code: "rate_limited" })).toBe(2);
    expect(await count({ model: "CLAUDE" })).toBe(12);
    expect(await count({ from: "2026-12-01", to: "2026-12-01" })).toBe(15);
    expect(await count({ to: "2026-11-30" })).toBe(10);
    expect(await count({ key: a.bob.apiKeyId })).toBe(0);
    expect(await count({ order: a.bob.orderId })).toBe(0);
    // A malformed filter is ignored, not an error page.
    expect(await count({ from: "yesterday", outcome: "maybe" })).toBe(25);
  });

  it("finds one request by id, only in its own account", async () => {
    const id = ids[3]!;
    expect((await getCustomerRequest(t.db.prisma, { customerId: alice().customerId, requestId: ` ${id}\n` }))?.requestId).toBe(id);
    expect(await getCustomerRequest(t.db.prisma, { customerId: bob().customerId, requestId: id })).toBeNull();
  });

  it("sums debits per UTC day beside the balance", async () => {
    const [order] = await getCustomerBalances(t.db.prisma, { customerId: alice().customerId });
    const debits = order!.lines.filter((l) => l.kind === "DEBITS");
    const expected = (from: number, to: number) => -ids.slice(from, to).reduce((sum, _id, i) => sum + ((from + i) % 10 === 9 ? 0 : 100 + from + i), 0);
    expect(debits.map((d) => [d.kind === "DEBITS" ? d.day : "", Number(d.amountMicros)])).toEqual([
      ["2026-12-01", expected(10, 25)],
      ["2026-11-30", expected(0, 10)],
    ]);
    const stored = await t.db.prisma.order.findUniqueOrThrow({ where: { id: a.alice.orderId }, select: { balanceMicros: true } });
    expect(order!.balanceMicros).toBe(stored.balanceMicros);
    expect(await getCustomerBalances(t.db.prisma, { customerId: "nobody" })).toEqual([]);
  });
});
