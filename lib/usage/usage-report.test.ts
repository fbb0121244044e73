import { afterAll, beforeAll, expect, it } from "vitest";
import { deriveSecretKeys } from "@/lib/credentials";
import { flushUsage, recordUsage } from "@/lib/gateway/usage-writer";
import { createOrder } from "@/lib/orders";
import { seed } from "@/lib/seed";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { usageRecord } from "@/test/usage-record";
import { issueApiKey } from "@/lib/keys/issue-api-key";
import { loadOrderRunway } from "./load-runway";
import { readUsageReport, usageQuerySchema } from "./usage-report";

const keys = deriveSecretKeys("u".repeat(40));
const DAY = 24 * 60 * 60 * 1000;

describeEachEngine("usage report and runway from the daily rollups", (engine) => {
  let t: TestDatabase;
  let a: Awaited<ReturnType<typeof createOrder>>;
  let b: Awaited<ReturnType<typeof createOrder>>;
  const now = new Date();
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 0, 30));
  const daysAgo = (n: number) => new Date(today.getTime() - n * DAY);

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await seed(t.db.prisma, { gatehouseSecret: "u".repeat(40) }, { demo: false });
    const order = (email: string) =>
      createOrder(t.db.prisma, { email, planName: "Starter 30", source: "CLI", delivery: "handout", actor: { label: "cli" }, keys, accessStart: daysAgo(20) });
    a = await order("usage-a@example.com");
    b = await order("usage-b@example.com");
    const ids = (o: typeof a) => ({ orderId: o.order.id, keyId: o.apiKey.id, customerId: o.customerId });
    const records = [
      usageRecord(ids(a), { createdAt: daysAgo(0), model: "gpt-4o-mini", costMicros: 100n, inputTokens: 10, outputTokens: 5 }),
      usageRecord(ids(a), { createdAt: daysAgo(0), model: "gpt-4o-mini", costMicros: 50n, inputTokens: 4, outputTokens: 1 }),
      usageRecord(ids(a), { createdAt: daysAgo(0), model: "claude-haiku-4-5", costMicros: 300n, inputTokens: 7, outputTokens: 9 }),
      usageRecord(ids(a), { createdAt: daysAgo(3), model: "gpt-4o-mini", costMicros: 20n, status: 429, errorCode: "rate_limit_exceeded" }),
      usageRecord(ids(a), { createdAt: daysAgo(12), model: "gpt-4o-mini", costMicros: 1000n }),
      usageRecord(ids(b), { createdAt: daysAgo(0), model: "gpt-4o-mini", costMicros: 999_999n }),
    ];
    for (const r of records) recordUsage(() => t.db, r);
    await flushUsage({ all: true });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("sums one account's days by model, over the chosen range only", async () => {
    const report = await readUsageReport(t.db.prisma, { customerId: a.customerId, query: usageQuerySchema.parse({ range: "7" }), now });
    expect(report).not.toBeNull();
    expect(report!.days).toHaveLength(7);
    expect(report!.to).toBe(today.toISOString().slice(0, 10));
    expect(report!.totals).toMatchObject({ requests: 4, errors: 1, inputTokens: 31, outputTokens: 35, costMicros: 470n });
    expect(report!.series.map((s) => s.id)).toEqual(["claude-haiku-4-5", "gpt-4o-mini"]);
    const todays = report!.rows.filter((r) => r.day === report!.to);
    expect(todays.map((r) => [r.series, r.requests, r.costMicros])).toEqual([
      ["claude-haiku-4-5", 1, 300n],
      ["gpt-4o-mini", 2, 150n],
    ]);
    const thirty = await readUsageReport(t.db.prisma, { customerId: a.customerId, query: usageQuerySchema.parse({ range: "30" }), now });
    expect(thirty!.totals.costMicros).toBe(1470n);
  });

  it("splits by key with the key's name, and never counts another account", async () => {
    const report = await readUsageReport(t.db.prisma, { customerId: a.customerId, query: usageQuerySchema.parse({ range: "90", by: "key" }), now });
    expect(report!.series).toHaveLength(1);
    expect(report!.series[0]!.id).toBe(a.apiKey.id);
    expect(report!.series[0]!.label).toBe(`Default key …${a.apiKey.lastFour}`);
    expect(report!.totals.costMicros).toBe(1470n);
  });

  it("an order's whole window: only that order, and another account's order is not found", async () => {
    const report = await readUsageReport(t.db.prisma, { customerId: a.customerId, query: usageQuerySchema.parse({ order: a.order.id }), now });
    expect(report!.order?.id).toBe(a.order.id);
    expect(report!.from).toBe(daysAgo(20).toISOString().slice(0, 10));
    expect(report!.totals.costMicros).toBe(1470n);
    expect(await readUsageReport(t.db.prisma, { customerId: a.customerId, query: usageQuerySchema.parse({ order: b.order.id }), now })).toBeNull();
  });

  it("bad URL values fall back to the defaults", () => {
    expect(usageQuerySchema.parse({ range: "365", by: "colour", order: "'; drop" })).toEqual({ range: "30", by: "model", order: undefined, metric: "cost" });
  });

  it("the runway of an order reads its credit and its last 7 days, scoped by the account", async () => {
    const runway = await loadOrderRunway(t.db.prisma, { customerId: a.customerId, orderId: a.order.id, now });
    expect(runway).not.toBeNull();
    // 450 + 20 micro-dollars in the window; the credit lasts far beyond the 10 days of access left.
    expect(runway!.first).toBe("access");
    expect(runway!.dailyRateMicros).toBeGreaterThan(0n);
    expect(runway!.sentence).toMatch(/^Access ends in (about )?\d+ days; your credit lasts beyond that at your current rate\.$/);
    expect(await loadOrderRunway(t.db.prisma, { customerId: a.customerId, orderId: b.order.id, now })).toBeNull();
  });

  it("counts the key's own limit in the order's runway only while the order has one active key", async () => {
    await t.db.prisma.apiKey.update({ where: { id: a.apiKey.id }, data: { spendLimitMicros: 400n, spendLimitPeriod: "DAY" } });
    const one = await loadOrderRunway(t.db.prisma, { customerId: a.customerId, orderId: a.order.id, now });
    expect(one).toMatchObject({ first: "key_limit", reached: true });
    expect(one!.sentence).toMatch(/^This key has reached its daily spend limit until it resets in .* \(\d{4}-\d{2}-\d{2} 00:00 UTC\);/);
    await issueApiKey(t.db.prisma, { orderId: a.order.id, name: "Second", delivery: "reveal", keys });
    expect(await loadOrderRunway(t.db.prisma, { customerId: a.customerId, orderId: a.order.id, now })).toMatchObject({ first: "access" });
  });
});
