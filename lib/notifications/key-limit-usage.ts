import "server-only";
import { utcPeriod } from "@/lib/billing/period";
import type { Prisma } from "@/lib/db";

// The one place the alerts learn a key's spend limit and its spend in the current period: a UTC
// calendar day, week (from Monday) or month, as the key's limit says; the spend comes from the daily
// rollups. A change to how limits and periods work changes this file only.

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
    where: { id: { in: [...keyIds] }, spendLimitMicros: { not: null } },
    select: { id: true, spendLimitMicros: true, spendLimitPeriod: true },
  });
  if (keys.length === 0) return [];
  const periods = new Map(keys.map((k) => [k.id, utcPeriod(k.spendLimitPeriod, now)]));
  // One read for every key: from the earliest period start (a month's), each key's own days summed below.
  const earliest = new Date(Math.min(...[...periods.values()].map((p) => p.start.getTime())));
  const days = await db.usageDaily.groupBy({
    by: ["apiKeyId", "day"],
    where: { apiKeyId: { in: keys.map((k) => k.id) }, day: { gte: earliest } },
    _sum: { costMicros: true },
  });
  const spent = new Map<string, bigint>();
  for (const d of days) {
    const period = periods.get(d.apiKeyId)!;
    if (d.day >= period.start && d.day < period.end) spent.set(d.apiKeyId, (spent.get(d.apiKeyId) ?? 0n) + (d._sum.costMicros ?? 0n));
  }
  return keys.map((k) => {
    const period = periods.get(k.id)!;
    return { keyId: k.id, limitMicros: k.spendLimitMicros!, spentMicros: spent.get(k.id) ?? 0n, periodId: period.id, resetsAt: period.end };
  });
}
