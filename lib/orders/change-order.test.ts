import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { MemorySpendStore } from "@/lib/billing/spend";
import { deriveSecretKeys, hmacLookup } from "@/lib/credentials";
import { clearKeyCache } from "@/lib/gateway/key-cache";
import { loadKeyByHmac } from "@/lib/gateway/load-key";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { adjustOrderCredit, cancelOrder, changeOrderWindow, createOrder, OrderChangeError, renewOrder } from "./index";

// Every change must reach the other instances: capture what the cache bus is asked to publish.
const published = vi.hoisted(() => [] as { kind: string; id: string }[]);
vi.mock("@/lib/cache-bus/invalidation-bus", () => ({
  publishInvalidation: async (change: { kind: string; id: string }) => {
    published.push(change);
    return true;
  },
}));

const keys = deriveSecretKeys(TEST_SECRET);
const HOUR = 3_600_000;

describeEachEngine("order changes by staff and renewals", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  const admin = () => ({ userId: a.admin.id, ip: "203.0.113.7" });

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
  });
  afterAll(async () => {
    await t?.drop();
  });
  beforeEach(() => {
    published.length = 0;
    clearKeyCache({ broadcast: false });
  });

  /** A new order with a handed-out key; its HMAC is what the gateway looks the key up by. */
  async function newOrder(plan = "Starter 30") {
    const created = await createOrder(t.db.prisma, {
      email: `o-${Math.random().toString(36).slice(2, 8)}@example.com`,
      planName: plan,
      source: "CLI",
      delivery: "handout",
      actor: { label: "cli" },
      keys,
    });
    return { order: created.order, hmac: hmacLookup(created.apiKey.key!, keys.keyPepper) };
  }
  const orderRow = (id: string) => t.db.prisma.order.findUniqueOrThrow({ where: { id }, include: { ledger: { orderBy: { id: "asc" } } } });
  const auditOf = (id: string, action: string) => t.db.prisma.auditLog.findMany({ where: { targetId: id, action }, orderBy: { id: "asc" } });

  it("extends the window, audited with the reason, and the gateway sees the new end at once on every instance", async () => {
    const { order, hmac } = await newOrder();
    // The gateway has the key cached with the old window.
    expect((await loadKeyByHmac(t.db.prisma, hmac))?.order.accessEnd).toEqual(order.accessEnd);
    const result = await changeOrderWindow(t.db.prisma, { orderId: order.id, byMs: 48 * HOUR, reason: "Outage on 3 Dec", actor: admin() });
    const newEnd = new Date(order.accessEnd.getTime() + 48 * HOUR);
    expect(result.accessEnd).toEqual(newEnd);
    expect((await orderRow(order.id)).accessEnd).toEqual(newEnd);
    expect((await loadKeyByHmac(t.db.prisma, hmac))?.order.accessEnd).toEqual(newEnd);
    expect(published).toContainEqual({ kind: "order", id: order.id });
    expect(await auditOf(order.id, "order.extended")).toEqual([
      expect.objectContaining({
        actorId: a.admin.id,
        ip: "203.0.113.7",
        details: { marketplaceOrderId: order.marketplaceOrderId, from: order.accessEnd.toISOString(), to: newEnd.toISOString(), reason: "Outage on 3 Dec" },
      }),
    ]);
  });

  it("shortens the window; refuses one that would end before it starts, a missing reason and an ended order, changing nothing", async () => {
    const { order } = await newOrder();
    await changeOrderWindow(t.db.prisma, { orderId: order.id, byMs: -24 * HOUR, reason: "Wrong duration", actor: admin() });
    const shortened = new Date(order.accessEnd.getTime() - 24 * HOUR);
    expect((await orderRow(order.id)).accessEnd).toEqual(shortened);
    expect(await auditOf(order.id, "order.shortened")).toHaveLength(1);

    await expect(changeOrderWindow(t.db.prisma, { orderId: order.id, byMs: -60 * 24 * HOUR, reason: "Too much", actor: admin() })).rejects.toThrow(
      OrderChangeError,
    );
    await expect(changeOrderWindow(t.db.prisma, { orderId: order.id, byMs: HOUR, reason: " ", actor: admin() })).rejects.toThrow(/reason/);
    await expect(changeOrderWindow(t.db.prisma, { orderId: "no-such-order", byMs: HOUR, reason: "Because", actor: admin() })).rejects.toThrow(/No such order/);
    expect((await orderRow(order.id)).accessEnd).toEqual(shortened);

    await cancelOrder(t.db.prisma, { orderId: order.id, reason: "Fraud", actor: admin(), store: new MemorySpendStore() });
    await expect(changeOrderWindow(t.db.prisma, { orderId: order.id, byMs: HOUR, reason: "Goodwill", actor: admin() })).rejects.toThrow(/cancelled/);
    expect((await orderRow(order.id)).accessEnd).toEqual(shortened);
  });

  it("adjusts the credit through the ledger, audited; refuses taking the balance below zero", async () => {
    const { order } = await newOrder();
    const store = new MemorySpendStore();
    const before = (await orderRow(order.id)).balanceMicros;
    const added = await adjustOrderCredit(t.db.prisma, { orderId: order.id, amountMicros: 5_000_000n, reason: "Goodwill credit", actor: admin(), store });
    expect(added.balanceAfterMicros).toBe(before + 5_000_000n);
    const row = await orderRow(order.id);
    expect(row.balanceMicros).toBe(before + 5_000_000n);
    expect(row.ledger.at(-1)).toMatchObject({ kind: "ADJUSTMENT", amountMicros: 5_000_000n, note: "Goodwill credit", actorId: a.admin.id });
    expect(await auditOf(order.id, "order.credit_adjusted")).toEqual([
      expect.objectContaining({ actorId: a.admin.id, details: expect.objectContaining({ amountMicros: "5000000", reason: "Goodwill credit" }) }),
    ]);
    expect(published).toContainEqual({ kind: "order", id: order.id });

    await expect(
      adjustOrderCredit(t.db.prisma, { orderId: order.id, amountMicros: -(before + 6_000_000n), reason: "Too much", actor: admin(), store }),
    ).rejects.toThrow(/remove at most/);
    const after = await orderRow(order.id);
    expect(after.balanceMicros).toBe(before + 5_000_000n);
    expect(after.ledger).toHaveLength(row.ledger.length);
    expect(await auditOf(order.id, "order.credit_adjusted")).toHaveLength(1);
  });

  it("cancels: access ends, the credit is closed, the reason audited, the keys dropped everywhere", async () => {
    const { order, hmac } = await newOrder();
    await loadKeyByHmac(t.db.prisma, hmac);
    const balance = (await orderRow(order.id)).balanceMicros;
    await cancelOrder(t.db.prisma, { orderId: order.id, reason: "Chargeback", actor: admin(), store: new MemorySpendStore() });
    const row = await orderRow(order.id);
    expect(row).toMatchObject({ state: "CANCELLED", balanceMicros: 0n });
    expect(row.ledger.at(-1)).toMatchObject({ kind: "CREDIT_END", amountMicros: -balance });
    expect((await loadKeyByHmac(t.db.prisma, hmac))?.order.state).toBe("CANCELLED");
    expect(published).toContainEqual({ kind: "order", id: order.id });
    expect(await auditOf(order.id, "order.cancelled")).toEqual([expect.objectContaining({ details: expect.objectContaining({ reason: "Chargeback" }) })]);
    await expect(cancelOrder(t.db.prisma, { orderId: order.id, reason: "Again", actor: admin() })).rejects.toThrow(OrderChangeError);
    await expect(adjustOrderCredit(t.db.prisma, { orderId: order.id, amountMicros: 1n, reason: "After the end", actor: admin() })).rejects.toThrow(
      OrderChangeError,
    );
    expect(await auditOf(order.id, "order.cancelled")).toHaveLength(1);
  });

  it("renews: a later end and the plan's credit again, the same key", async () => {
    const { order, hmac } = await newOrder();
    const keysBefore = await t.db.prisma.apiKey.findMany({ where: { orderId: order.id }, select: { id: true, status: true } });
    const balance = (await orderRow(order.id)).balanceMicros;
    const renewed = await renewOrder(t.db.prisma, { marketplaceOrderId: order.marketplaceOrderId, actor: { label: "webhook" }, store: new MemorySpendStore() });
    expect(renewed.accessEnd.getTime()).toBe(order.accessEnd.getTime() + 30 * 24 * HOUR);
    const row = await orderRow(order.id);
    expect(row.balanceMicros).toBe(balance + 20_000_000n);
    expect(row.ledger.at(-1)).toMatchObject({ kind: "PLAN_CREDIT", amountMicros: 20_000_000n });
    expect(await t.db.prisma.apiKey.findMany({ where: { orderId: order.id }, select: { id: true, status: true } })).toEqual(keysBefore);
    expect((await loadKeyByHmac(t.db.prisma, hmac))?.order.accessEnd).toEqual(renewed.accessEnd);
    await expect(
      renewOrder(t.db.prisma, { marketplaceOrderId: order.marketplaceOrderId, accessEnd: order.accessEnd, actor: { label: "webhook" } }),
    ).rejects.toThrow(/not later/);
    await expect(renewOrder(t.db.prisma, { marketplaceOrderId: order.marketplaceOrderId, planName: "Pro 30", actor: { label: "webhook" } })).rejects.toThrow(
      /cannot change the plan/,
    );
  });
});
