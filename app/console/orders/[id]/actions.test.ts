import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { setSpendStore, MemorySpendStore } from "@/lib/billing/spend";
import { setDatabase } from "@/lib/db";
import { createAccounts, type Accounts } from "@/test/accounts";
import { describeEachEngine, createTestDatabase, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { adjustOrderCreditAction, cancelOrderAction, changeOrderWindowAction } from "./actions";

// The actions are called directly, as a crafted POST would call them: no page, no hidden form.
vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

describeEachEngine("console: order actions", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
    setSpendStore(new MemorySpendStore());
  });
  afterAll(async () => {
    setDatabase(undefined);
    setSpendStore(undefined);
    await t?.drop();
  });
  beforeEach(() => {
    signedInAs.userId = null;
  });

  /** Everything an order action could change: the order row, its ledger, the audit log. */
  const snapshot = async () => ({
    order: await t.db.prisma.order.findUniqueOrThrow({ where: { id: a.alice.orderId }, select: { accessEnd: true, state: true, balanceMicros: true } }),
    ledger: await t.db.prisma.ledgerEntry.count({ where: { orderId: a.alice.orderId } }),
    audit: await t.db.prisma.auditLog.count(),
  });
  const calls = () => [
    () => changeOrderWindowAction({ status: "idle" }, form({ orderId: a.alice.orderId, direction: "extend", amount: "2", unit: "days", reason: "Outage" })),
    () => adjustOrderCreditAction({ status: "idle" }, form({ orderId: a.alice.orderId, direction: "add", amountUsd: "5", reason: "Goodwill" })),
    () => cancelOrderAction({ status: "idle" }, form({ orderId: a.alice.orderId, confirm: "yes", reason: "Fraud" })),
  ];

  it("refuses a signed-out caller, a buyer (even the order's own) and support, changing nothing", async () => {
    const before = await snapshot();
    for (const call of calls()) await expectRedirect(call(), "/signin");
    for (const who of [a.alice.user.id, a.bob.user.id, a.support.id]) {
      signedInAs.userId = who;
      for (const call of calls()) await expectNotFound(call());
    }
    expect(await snapshot()).toEqual(before);
  });

  it("validates the input: a reason is required, amounts must be sensible", async () => {
    signedInAs.userId = a.admin.id;
    const before = await snapshot();
    expect(await changeOrderWindowAction({ status: "idle" }, form({ orderId: a.alice.orderId, direction: "extend", amount: "2", unit: "days" }))).toMatchObject(
      {
        status: "error",
        fieldErrors: { reason: [expect.any(String)] },
      },
    );
    expect(
      await changeOrderWindowAction({ status: "idle" }, form({ orderId: a.alice.orderId, direction: "extend", amount: "-1", unit: "weeks", reason: "Outage" })),
    ).toMatchObject({ status: "error", fieldErrors: { amount: [expect.any(String)], unit: [expect.any(String)] } });
    expect(
      await adjustOrderCreditAction({ status: "idle" }, form({ orderId: a.alice.orderId, direction: "add", amountUsd: "1e3", reason: "Goodwill" })),
    ).toMatchObject({ status: "error", fieldErrors: { amountUsd: [expect.any(String)] } });
    expect(
      await adjustOrderCreditAction({ status: "idle" }, form({ orderId: a.alice.orderId, direction: "add", amountUsd: "0.000", reason: "Goodwill" })),
    ).toMatchObject({ status: "error", fieldErrors: { amountUsd: [expect.any(String)] } });
    expect(await cancelOrderAction({ status: "idle" }, form({ orderId: a.alice.orderId, reason: "Fraud" }))).toMatchObject({
      status: "error",
      fieldErrors: { confirm: [expect.any(String)] },
    });
    expect(
      await changeOrderWindowAction({ status: "idle" }, form({ orderId: "nope", direction: "extend", amount: "1", unit: "days", reason: "Outage" })),
    ).toEqual({
      status: "error",
      message: "No such order.",
    });
    expect(await snapshot()).toEqual(before);
  });

  it("lets an admin extend, adjust and cancel, each audited with the admin, the IP and the reason", async () => {
    signedInAs.userId = a.admin.id;
    const before = await snapshot();
    expect(
      await changeOrderWindowAction({ status: "idle" }, form({ orderId: a.alice.orderId, direction: "extend", amount: "2", unit: "days", reason: "Outage" })),
    ).toMatchObject({ status: "success" });
    expect((await snapshot()).order.accessEnd).toEqual(new Date(before.order.accessEnd.getTime() + 2 * 86_400_000));
    expect(
      await adjustOrderCreditAction({ status: "idle" }, form({ orderId: a.alice.orderId, direction: "add", amountUsd: "2.5", reason: "Goodwill" })),
    ).toMatchObject({ status: "success", message: expect.stringContaining("Added $2.50") });
    expect((await snapshot()).order.balanceMicros).toBe(before.order.balanceMicros + 2_500_000n);
    expect(await cancelOrderAction({ status: "idle" }, form({ orderId: a.alice.orderId, confirm: "yes", reason: "Fraud" }))).toMatchObject({
      status: "success",
    });
    const entries = await t.db.prisma.auditLog.findMany({
      where: { targetId: a.alice.orderId, action: { in: ["order.extended", "order.credit_adjusted", "order.cancelled"] } },
      orderBy: { id: "asc" },
    });
    expect(entries.map((e) => [e.action, e.actorId, e.ip, (e.details as { reason?: string }).reason])).toEqual([
      ["order.extended", a.admin.id, "203.0.113.9", "Outage"],
      ["order.credit_adjusted", a.admin.id, "203.0.113.9", "Goodwill"],
      ["order.cancelled", a.admin.id, "203.0.113.9", "Fraud"],
    ]);
    // An ended order cannot change; the refusal says why.
    expect(
      await changeOrderWindowAction({ status: "idle" }, form({ orderId: a.alice.orderId, direction: "extend", amount: "1", unit: "days", reason: "Again" })),
    ).toMatchObject({ status: "error", message: expect.stringMatching(/cancelled/) });
  });
});
