import "server-only";
import { utcMonth } from "@/lib/billing/period";
import type { Prisma } from "@/lib/db";

// The one place the alerts learn a key's spend limit and its spend in the current period. Today a
// key has a monthly limit (calendar month, UTC) and its spend comes from the daily rollups; a
// change to how limits and periods work changes this file only.

export interface KeyLimitUsage {
  keyId: string;
  limitMicros: bigint;
  spentMicros: bigint;
  /** Names the period in the sent-notification record, so each period earns its own alerts. */
  periodId: string;
  resetsAt: Date;
}

/** The limit and current-period spend of each of `keyIds` that has a limit (keys without one are left out). */
export async function readKeyLimitUsage(db: Prisma, keyIds: readonly string[], now: Date): Promise<KeyLimitUsage[]> {
  if (keyIds.length === 0) return [];
  const keys = await db.apiKey.findMany({
    where: { id: { in: [...keyIds] }, monthlyLimitMicros: { not: null } },
    select: { id: true, monthlyLimitMicros: true },
  });
  if (keys.length === 0) return [];
  const month = utcMonth(now);
  const sums = await db.usageDaily.groupBy({
    by: ["apiKeyId"],
    where: { apiKeyId: { in: keys.map((k) => k.id) }, day: { gte: month.start, lt: month.end } },
    _sum: { costMicros: true },
  });
  const spent = new Map(sums.map((s) => [s.apiKeyId, s._sum.costMicros ?? 0n]));
  return keys.map((k) => ({
    keyId: k.id,
    limitMicros: k.monthlyLimitMicros!,
    spentMicros: spent.get(k.id) ?? 0n,
    periodId: month.id,
    resetsAt: month.end,
  }));
}
