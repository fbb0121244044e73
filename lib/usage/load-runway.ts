import "server-only";
import { utcPeriod, type SpendPeriod } from "@/lib/billing/period";
import { readKeyPeriodSpend } from "@/lib/billing/spend";
import type { Prisma } from "@/lib/db";
import { processSingleton } from "@/lib/server/process-singleton";
import { computeRunway, RUNWAY_RATE_DAYS, type Runway } from "./runway";

const DAY = 24 * 60 * 60 * 1000;

/**
 * Spend over the rate window, per order or key, remembered briefly: `GET /v1/key` may be polled (a
 * status line every few seconds). The memo is keyed by the order's balance and the key's period
 * spend too, so any settled spend on a plan with credit or a key with a limit reads afresh.
 */
const RECENT_SPEND_TTL_MS = 15_000;
const RECENT_SPEND_MAX_ENTRIES = 5_000;
const recentSpendMemo = processSingleton("usage.recentSpendMemo", () => new Map<string, { at: number; value: Promise<bigint> }>());

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/**
 * The window the spending rate is measured over: the last RUNWAY_RATE_DAYS whole UTC days and
 * today so far (the rollups are UTC days), never before the access started.
 */
export function rateWindowStart(now: Date, accessStart: Date): Date {
  const since = new Date(startOfUtcDay(now).getTime() - RUNWAY_RATE_DAYS * DAY);
  return accessStart.getTime() > since.getTime() ? accessStart : since;
}

async function recentSpend(db: Prisma, scope: { orderId: string } | { apiKeyId: string }, since: Date, now: Date, version: string): Promise<bigint> {
  const id = "orderId" in scope ? `o:${scope.orderId}` : `k:${scope.apiKeyId}`;
  const memoKey = `${id}:${startOfUtcDay(since).toISOString()}:${version}`;
  const hit = recentSpendMemo.get(memoKey);
  if (hit && now.getTime() - hit.at < RECENT_SPEND_TTL_MS) return hit.value;
  if (recentSpendMemo.size >= RECENT_SPEND_MAX_ENTRIES) recentSpendMemo.clear();
  const value = db.usageDaily
    .aggregate({ where: { ...scope, day: { gte: startOfUtcDay(since) } }, _sum: { costMicros: true } })
    .then((r) => r._sum.costMicros ?? 0n);
  recentSpendMemo.set(memoKey, { at: now.getTime(), value });
  value.catch(() => recentSpendMemo.delete(memoKey));
  return value;
}

export interface RunwayOrderFacts {
  id: string;
  accessStart: Date;
  accessEnd: Date;
  balanceMicros: bigint;
  /** The plan's included credit: 0 means a plan without credit. */
  planCreditMicros: bigint;
}

export interface RunwayKeyFacts {
  id: string;
  spendLimitMicros: bigint | null;
  spendLimitPeriod: SpendPeriod;
  /** The spend in the limit's current period when the caller has read it already. */
  spentInPeriodMicros?: bigint;
}

/** The runway of an order and (optionally) one of its keys, from facts the caller already holds plus the recent spend. */
export async function runwayFromFacts(db: Prisma, order: RunwayOrderFacts, key: RunwayKeyFacts | null, now: Date = new Date()): Promise<Runway> {
  const since = rateWindowStart(now, order.accessStart);
  const withLimit = key !== null && key.spendLimitMicros !== null;
  const period = utcPeriod(key?.spendLimitPeriod ?? "MONTH", now);
  const keySpent = withLimit ? (key.spentInPeriodMicros ?? (await readKeyPeriodSpend(db, key.id, period))) : 0n;
  const version = `${order.balanceMicros}|${period.id}|${keySpent}`;
  const [orderSpend, keySpend] = await Promise.all([
    recentSpend(db, { orderId: order.id }, since, now, version),
    withLimit ? recentSpend(db, { apiKeyId: key.id }, since, now, version) : Promise.resolve(0n),
  ]);
  return computeRunway({
    now,
    accessStart: order.accessStart,
    accessEnd: order.accessEnd,
    credit: order.planCreditMicros > 0n ? { balanceMicros: order.balanceMicros } : null,
    orderSpendMicros: orderSpend,
    keySpendMicros: keySpend,
    keyLimit: withLimit ? { limitMicros: key.spendLimitMicros!, period: period.kind, spentInPeriodMicros: keySpent, resetsAt: period.end } : null,
    rateSince: since,
  });
}

/**
 * The runway of one of the buyer's orders, or null when the order is not the account's. With one
 * active key its spend limit counts too; with several, the order's sentence would not say which
 * key it meant, so only access and credit count (each key's card shows its own limit). Cancelled
 * and refunded orders end at `endedAt`.
 */
export async function loadOrderRunway(db: Prisma, input: { customerId: string; orderId: string; now?: Date }): Promise<Runway | null> {
  const now = input.now ?? new Date();
  const order = await db.order.findFirst({
    where: { id: input.orderId, customerId: input.customerId },
    select: {
      id: true,
      accessStart: true,
      accessEnd: true,
      endedAt: true,
      state: true,
      balanceMicros: true,
      plan: { select: { creditMicros: true } },
      apiKeys: {
        where: { status: "ACTIVE", deletedAt: null },
        orderBy: { createdAt: "desc" },
        take: 2,
        select: { id: true, spendLimitMicros: true, spendLimitPeriod: true },
      },
    },
  });
  if (!order) return null;
  // A cancelled or refunded order ended when it was ended, whatever its window said.
  const ended = order.state === "OPEN" ? null : (order.endedAt ?? now);
  const accessEnd = ended && ended.getTime() < order.accessEnd.getTime() ? ended : order.accessEnd;
  return runwayFromFacts(
    db,
    { id: order.id, accessStart: order.accessStart, accessEnd, balanceMicros: order.balanceMicros, planCreditMicros: order.plan.creditMicros },
    order.apiKeys.length === 1 ? order.apiKeys[0]! : null,
    now,
  );
}

/** The runway of each of the account's orders whose access has not ended (at most five, soonest end first). */
export async function loadAccountRunways(
  db: Prisma,
  input: { customerId: string; now?: Date },
): Promise<{ orderId: string; marketplaceOrderId: string; runway: Runway }[]> {
  const now = input.now ?? new Date();
  const orders = await db.order.findMany({
    where: { customerId: input.customerId, state: "OPEN", accessEnd: { gt: now } },
    orderBy: { accessEnd: "asc" },
    take: 5,
    select: { id: true, marketplaceOrderId: true },
  });
  const runways = await Promise.all(orders.map((o) => loadOrderRunway(db, { customerId: input.customerId, orderId: o.id, now })));
  return orders.flatMap((o, i) => {
    const runway = runways[i];
    return runway ? [{ orderId: o.id, marketplaceOrderId: o.marketplaceOrderId, runway }] : [];
  });
}
