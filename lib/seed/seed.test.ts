import { afterAll, beforeAll, expect, it } from "vitest";
import { decryptSecret, deriveSecretKeys, diagnoseApiKey, hmacLookup } from "@/lib/credentials";
import { orderStatus } from "@/lib/orders";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { DEMO_ORDER_IDS, DEMO_USERS, PRICE_TABLE_DATE, SEED_PRICES, seed, seedIfEmpty } from "./index";

const secrets = { gatehouseSecret: "s".repeat(40) };

describeEachEngine("seed", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
  });
  afterAll(() => t?.drop());

  it("seeds prices, plans and demo data on a new database", async () => {
    const result = await seedIfEmpty(t.db.prisma, secrets, true);
    expect(result.seeded).toBe(true);
    const prices = await t.db.prisma.modelPrice.findMany();
    expect(prices).toHaveLength(SEED_PRICES.length);
    for (const p of prices) {
      expect(p.source).toMatch(/pricing pages/);
      expect(p.effectiveDate?.toISOString().slice(0, 10)).toBe(PRICE_TABLE_DATE);
      expect(Number.isInteger(p.inputMicrosPerM) && p.inputMicrosPerM > 0).toBe(true);
    }
    expect(prices.find((p) => p.model === "claude-sonnet-4-6")?.outputMicrosPerM).toBe(15_000_000);
    const plans = await t.db.prisma.plan.findMany({ orderBy: { rpm: "asc" } });
    expect(plans.map((p) => [p.name, p.rpm])).toEqual([
      ["Starter 30", 60],
      ["Pro 30", 600],
    ]);
    // Claude Code asks for a Sonnet and a Haiku: every Claude plan covers both.
    for (const plan of plans) expect(plan.models).toEqual(expect.arrayContaining(["claude-sonnet-4-6", "claude-haiku-4-5-20251001"]));
  });

  it("gives the demo buyer one active order with a key revealable once, and one expired order", async () => {
    const buyer = await t.db.prisma.user.findUniqueOrThrow({ where: { email: DEMO_USERS.buyer } });
    expect(buyer.role).toBe("BUYER");
    const orders = await t.db.prisma.order.findMany({ where: { customerId: buyer.customerId! }, include: { apiKeys: { omit: { revealCiphertext: false } } } });
    const byId = new Map(orders.map((o) => [o.marketplaceOrderId, o]));
    const active = byId.get(DEMO_ORDER_IDS.active)!;
    const expired = byId.get(DEMO_ORDER_IDS.expired)!;
    expect(orderStatus(active)).toBe("ACTIVE");
    expect(orderStatus(expired)).toBe("EXPIRED");

    const key = active.apiKeys[0]!;
    const keys = deriveSecretKeys(secrets.gatehouseSecret);
    const plaintext = decryptSecret(key.revealCiphertext!, keys.revealKey, key.hmac);
    expect(diagnoseApiKey(plaintext).ok).toBe(true);
    expect(hmacLookup(plaintext, keys.keyPepper)).toBe(key.hmac);
    expect(plaintext.endsWith(key.lastFour)).toBe(true);
    // The expired order's key was handed out by support: nothing left to reveal.
    expect(expired.apiKeys[0]?.revealCiphertext).toBeNull();
    expect(expired.apiKeys[0]?.handedOutAt).toBeInstanceOf(Date);

    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { email: DEMO_USERS.support } })).role).toBe("SUPPORT");
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { email: DEMO_USERS.admin } })).role).toBe("ADMIN");
  });

  it("keeps the books consistent: balance = ledger, debits = logged costs, rollups = logs", async () => {
    const order = await t.db.prisma.order.findUniqueOrThrow({ where: { marketplaceOrderId: DEMO_ORDER_IDS.active } });
    const ledger = await t.db.prisma.ledgerEntry.aggregate({ where: { orderId: order.id }, _sum: { amountMicros: true } });
    expect(ledger._sum.amountMicros).toBe(order.balanceMicros);
    const logs = await t.db.prisma.requestLog.aggregate({ where: { orderId: order.id }, _sum: { costMicros: true, inputTokens: true }, _count: true });
    const debits = await t.db.prisma.ledgerEntry.aggregate({ where: { orderId: order.id, kind: "DEBIT" }, _sum: { amountMicros: true } });
    expect(logs._count).toBeGreaterThan(10);
    expect(-(debits._sum.amountMicros ?? 0n)).toBe(logs._sum.costMicros);
    const rollups = await t.db.prisma.usageDaily.aggregate({ where: { orderId: order.id }, _sum: { requests: true, costMicros: true, inputTokens: true } });
    expect(rollups._sum.requests).toBe(logs._count);
    expect(rollups._sum.costMicros).toBe(logs._sum.costMicros);
    expect(rollups._sum.inputTokens).toBe(BigInt(logs._sum.inputTokens ?? 0));
    expect(await t.db.prisma.ticket.count()).toBeGreaterThanOrEqual(2);
  });

  it("is idempotent and leaves admin edits alone", async () => {
    const counts = async () => ({
      users: await t.db.prisma.user.count(),
      orders: await t.db.prisma.order.count(),
      keys: await t.db.prisma.apiKey.count(),
      logs: await t.db.prisma.requestLog.count(),
      tickets: await t.db.prisma.ticket.count(),
      prices: await t.db.prisma.modelPrice.count(),
      plans: await t.db.prisma.plan.count(),
    });
    await t.db.prisma.modelPrice.update({ where: { model: "gpt-4o" }, data: { inputMicrosPerM: 1 } });
    const before = await counts();
    expect(await seedIfEmpty(t.db.prisma, secrets, true)).toEqual({ seeded: false });
    expect(await seed(t.db.prisma, secrets, { demo: true })).toEqual({ pricesCreated: 0, plansCreated: 0, demo: false });
    expect(await counts()).toEqual(before);
    expect((await t.db.prisma.modelPrice.findUniqueOrThrow({ where: { model: "gpt-4o" } })).inputMicrosPerM).toBe(1);
  });
});
