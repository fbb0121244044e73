import "server-only";
import type { Prisma } from "@/lib/db";
import type { UtcMonth } from "./month";
import type { SpendStore } from "./spend-types";

/**
 * The database side of the spend limits: the readers that seed a spend store, the ledger sum the
 * running total is checked against, and the one correct way to change an order's credit.
 */

/** The order's running total (`Order.balanceMicros`): what a store seeds an order's balance from. */
export async function readOrderBalance(db: Prisma, orderId: string): Promise<bigint> {
  const order = await db.order.findUnique({ where: { id: orderId }, select: { balanceMicros: true } });
  if (!order) throw new Error(`order ${orderId} not found`);
  return order.balanceMicros;
}

/** The order's balance derived from its ledger: the truth the running total must match. */
export async function ledgerBalance(db: Prisma, orderId: string): Promise<bigint> {
  const sum = await db.ledgerEntry.aggregate({ where: { orderId }, _sum: { amountMicros: true } });
  return sum._sum.amountMicros ?? 0n;
}

/** The key's spend in a calendar month (UTC), from the daily rollups. */
export async function readKeyMonthSpend(db: Prisma, keyId: string, month: UtcMonth): Promise<bigint> {
  const sum = await db.usageDaily.aggregate({
    where: { apiKeyId: keyId, day: { gte: month.start, lt: month.end } },
    _sum: { costMicros: true },
  });
  return sum._sum.costMicros ?? 0n;
}

export interface BalanceChange {
  orderId: string;
  /** Signed: credit positive, removal negative. */
  amountMicros: bigint;
  kind: "PLAN_CREDIT" | "ADJUSTMENT" | "CREDIT_END";
  note?: string;
  actorId?: string;
}

/**
 * Writes a credit change as a ledger entry and moves the running total with it, in one
 * transaction, then applies it to the spend store (see spend.ts, "Seeding"). Returns the balance
 * after the change as the database has it. The caller audits it and, for cached key data, publishes
 * an invalidation; the store itself is shared (Redis) or the only one (memory), so it needs none.
 */
export async function changeOrderBalance(db: Prisma, store: SpendStore, change: BalanceChange): Promise<bigint> {
  const balanceAfter = await db.$transaction(async (tx) => {
    await tx.ledgerEntry.create({
      data: { orderId: change.orderId, kind: change.kind, amountMicros: change.amountMicros, note: change.note, actorId: change.actorId },
    });
    const order = await tx.order.update({
      where: { id: change.orderId },
      data: { balanceMicros: { increment: change.amountMicros } },
      select: { balanceMicros: true },
    });
    return order.balanceMicros;
  });
  await store.adjustBalance({ orderId: change.orderId, deltaMicros: change.amountMicros, balanceAfterMicros: balanceAfter });
  return balanceAfter;
}
