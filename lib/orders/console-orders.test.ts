import { afterAll, beforeAll, expect, it } from "vitest";
import { MemorySpendStore } from "@/lib/billing/spend";
import { createAccounts, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { adjustOrderCredit, cancelOrder, getConsoleOrder, listRecentOrders, orderListQuerySchema } from "./index";

describeEachEngine("the console's orders", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    await adjustOrderCredit(t.db.prisma, {
      orderId: a.alice.orderId,
      amountMicros: 1_500_000n,
      reason: "Goodwill",
      actor: { userId: a.admin.id },
      store: new MemorySpendStore(),
    });
    await cancelOrder(t.db.prisma, { orderId: a.bob.orderId, reason: "Chargeback", actor: { userId: a.admin.id }, store: new MemorySpendStore() });
  });
  afterAll(async () => {
    await t?.drop();
  });

  const ids = async (filters: Record<string, string>) =>
    (await listRecentOrders(t.db.prisma, { query: orderListQuerySchema.parse(filters) })).rows.map((o) => o.marketplaceOrderId).sort();

  it("are found by order id, account, a buyer's email and status", async () => {
    expect(await ids({ q: "alice-1" })).toEqual(["T-ALICE-1"]);
    expect(await ids({ q: "BOB@example" })).toEqual(["T-BOB-1"]);
    expect(await ids({ status: "ACTIVE" })).toEqual(["T-ALICE-1"]);
    expect(await ids({ status: "CANCELLED" })).toEqual(["T-BOB-1"]);
    expect(await ids({ status: "EXPIRED" })).toEqual([]);
    expect(await ids({ q: "bob", status: "ACTIVE" })).toEqual([]);
    // A status the list does not know is no filter at all.
    expect(await ids({ status: "DELETED" })).toEqual(["T-ALICE-1", "T-BOB-1"]);
  });

  it("show an order's window, keys without secrets, balance, ledger with who adjusted it, and tickets", async () => {
    const order = await getConsoleOrder(t.db.prisma, a.alice.orderId);
    expect(order).toMatchObject({
      marketplaceOrderId: "T-ALICE-1",
      status: "ACTIVE",
      customer: { emails: ["alice@example.com"] },
      plan: { name: "Starter 30" },
      balanceMicros: 21_500_000n,
      usage: { requests: 0, costMicros: 0n, lastUsedAt: null },
      moreLedger: false,
    });
    expect(order?.keys).toHaveLength(1);
    expect(Object.keys(order!.keys[0]!).sort()).toEqual([
      "createdAt",
      "handedOutAt",
      "id",
      "lastFour",
      "lastUsedAt",
      "name",
      "revealedAt",
      "status",
      "validUntil",
    ]);
    expect(order?.ledger.map((l) => [l.kind, l.amountMicros, l.actorEmail])).toEqual([
      ["ADJUSTMENT", 1_500_000n, "ada@example.com"],
      ["PLAN_CREDIT", 20_000_000n, null],
    ]);
    const ticket = await t.db.prisma.ticket.findUniqueOrThrow({ where: { id: a.alice.ticketId } });
    expect(order?.tickets).toEqual([
      expect.objectContaining({ id: ticket.id, number: ticket.number, subject: "Question from alice@example.com", status: "OPEN" }),
    ]);
    expect((await getConsoleOrder(t.db.prisma, a.bob.orderId))?.status).toBe("CANCELLED");
    expect(await getConsoleOrder(t.db.prisma, "no-such-order")).toBeNull();
  });
});
