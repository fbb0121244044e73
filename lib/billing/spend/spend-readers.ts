import "server-only";
import type { Prisma } from "@/lib/db";
import type { UtcPeriod } from "@/lib/billing/period";

/**
 * The database side of the spend limits: the readers that seed a spend store. Changes to an
 * order's balance go through lib/billing/ledger.
 */

/** The order's running total (`Order.balanceMicros`): what a store seeds an order's balance from. */
export async function readOrderBalance(db: Prisma, orderId: string): Promise<bigint> {
  const order = await db.order.findUnique({ where: { id: orderId }, select: { balanceMicros: true } });
  if (!order) throw new Error(`order ${orderId} not found`);
  return order.balanceMicros;
}

export interface KeyPeriodUsage {
  requests: number;
  inputTokens: bigint;
  outputTokens: bigint;
  costMicros: bigint;
}

/**
 * The key's requests, tokens and spend in a UTC period (day, week or month), from the daily
 * rollups: every period starts and ends at a UTC midnight, so whole rollup days make it up.
 */
export async function readKeyPeriodUsage(db: Prisma, keyId: string, period: Pick<UtcPeriod, "start" | "end">): Promise<KeyPeriodUsage> {
  const sum = await db.usageDaily.aggregate({
    where: { apiKeyId: keyId, day: { gte: period.start, lt: period.end } },
    _sum: { requests: true, inputTokens: true, outputTokens: true, costMicros: true },
  });
  return {
    requests: sum._sum.requests ?? 0,
    inputTokens: sum._sum.inputTokens ?? 0n,
    outputTokens: sum._sum.outputTokens ?? 0n,
    costMicros: sum._sum.costMicros ?? 0n,
  };
}

/** The key's spend in a UTC period: what a store seeds the key's period from. */
export async function readKeyPeriodSpend(db: Prisma, keyId: string, period: Pick<UtcPeriod, "start" | "end">): Promise<bigint> {
  return (await readKeyPeriodUsage(db, keyId, period)).costMicros;
}
