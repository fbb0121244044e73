import "server-only";
import { z } from "zod";
import type { Prisma } from "@/lib/db";
import { utcDay } from "@/lib/billing/period";

// A buyer's usage per UTC day from the daily rollups (`usage_daily`), split by model or by key,
// for the last 7 / 30 / 90 days or one order's whole window. Every read is scoped by the account.

const DAY = 24 * 60 * 60 * 1000;

export const USAGE_RANGES = ["7", "30", "90"] as const;
export type UsageSplit = "model" | "key";

/** The page's URL state: `?range=7|30|90` or `?order=<id>`, `?by=model|key`. Anything else falls back to the defaults. */
export const usageQuerySchema = z.object({
  range: z.enum(USAGE_RANGES).catch("30").default("30"),
  order: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional()
    .catch(undefined),
  by: z.enum(["model", "key"]).catch("model").default("model"),
  /** What the chart shows; the table always has every number. */
  metric: z.enum(["cost", "requests", "tokens"]).catch("cost").default("cost"),
});
export type UsageQuery = z.infer<typeof usageQuerySchema>;

export interface UsageTotals {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costMicros: bigint;
}

export interface UsageRow extends UsageTotals {
  /** `YYYY-MM-DD`, a UTC calendar day. */
  day: string;
  /** The model, or the key's id. */
  series: string;
}

export interface UsageSeries {
  id: string;
  /** The model, or the key's name and mask. */
  label: string;
}

export interface UsageReport {
  split: UsageSplit;
  /** First and last UTC day shown (inclusive), `YYYY-MM-DD`. */
  from: string;
  to: string;
  /** Every day of the period, oldest first, for a chart without gaps. */
  days: string[];
  /** The series in order of cost (dearest first). */
  series: UsageSeries[];
  /** One row per day and series with any request, oldest day first. */
  rows: UsageRow[];
  totals: UsageTotals;
  /** The order whose window was asked for, when one was. */
  order: { id: string; marketplaceOrderId: string } | null;
}

export interface UsageOrderOption {
  id: string;
  marketplaceOrderId: string;
  accessStart: Date;
  accessEnd: Date;
}

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

function emptyTotals(): UsageTotals {
  return { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costMicros: 0n };
}

function addTo(t: UsageTotals, r: UsageTotals): void {
  t.requests += r.requests;
  t.errors += r.errors;
  t.inputTokens += r.inputTokens;
  t.outputTokens += r.outputTokens;
  t.cacheReadTokens += r.cacheReadTokens;
  t.cacheWriteTokens += r.cacheWriteTokens;
  t.costMicros += r.costMicros;
}

/** The account's orders, newest first, for the "whole order" choices. */
export async function listUsageOrders(db: Prisma, customerId: string): Promise<UsageOrderOption[]> {
  return db.order.findMany({
    where: { customerId },
    orderBy: { accessStart: "desc" },
    take: 50,
    select: { id: true, marketplaceOrderId: true, accessStart: true, accessEnd: true },
  });
}

/**
 * The usage report for one account. With `query.order` the period is that order's window (up to
 * today) and only its usage counts; an order outside the account yields null.
 */
export async function readUsageReport(db: Prisma, input: { customerId: string; query: UsageQuery; now?: Date }): Promise<UsageReport | null> {
  const now = input.now ?? new Date();
  const today = startOfUtcDay(now);
  let from: Date;
  let to: Date = today;
  let order: UsageReport["order"] = null;
  if (input.query.order) {
    const found = await db.order.findFirst({
      where: { id: input.query.order, customerId: input.customerId },
      select: { id: true, marketplaceOrderId: true, accessStart: true, accessEnd: true, endedAt: true },
    });
    if (!found) return null;
    order = { id: found.id, marketplaceOrderId: found.marketplaceOrderId };
    from = startOfUtcDay(found.accessStart);
    // The last millisecond of access belongs to its day; a window still running ends today.
    const end = startOfUtcDay(new Date(found.accessEnd.getTime() - 1));
    if (end.getTime() < to.getTime()) to = end;
    if (from.getTime() > to.getTime()) from = to;
  } else {
    from = new Date(today.getTime() - (Number(input.query.range) - 1) * DAY);
  }

  const where = { customerId: input.customerId, day: { gte: from, lte: to }, ...(order ? { orderId: order.id } : {}) };
  const sum = { requests: true, errors: true, inputTokens: true, outputTokens: true, cacheReadTokens: true, cacheWriteTokens: true, costMicros: true } as const;
  const grouped =
    input.query.by === "model"
      ? (await db.usageDaily.groupBy({ by: ["day", "model"], where, _sum: sum, orderBy: [{ day: "asc" }, { model: "asc" }] })).map((g) => ({
          day: g.day,
          series: g.model,
          s: g._sum,
        }))
      : (await db.usageDaily.groupBy({ by: ["day", "apiKeyId"], where, _sum: sum, orderBy: [{ day: "asc" }, { apiKeyId: "asc" }] })).map((g) => ({
          day: g.day,
          series: g.apiKeyId,
          s: g._sum,
        }));

  const rows: UsageRow[] = grouped.map(({ day, series, s }) => ({
    day: utcDay(day),
    series,
    requests: s.requests ?? 0,
    errors: s.errors ?? 0,
    inputTokens: Number(s.inputTokens ?? 0n),
    outputTokens: Number(s.outputTokens ?? 0n),
    cacheReadTokens: Number(s.cacheReadTokens ?? 0n),
    cacheWriteTokens: Number(s.cacheWriteTokens ?? 0n),
    costMicros: s.costMicros ?? 0n,
  }));

  const totals = emptyTotals();
  const perSeries = new Map<string, bigint>();
  for (const row of rows) {
    addTo(totals, row);
    perSeries.set(row.series, (perSeries.get(row.series) ?? 0n) + row.costMicros);
  }
  const ids = [...perSeries.keys()].sort((a, b) => {
    const d = perSeries.get(b)! - perSeries.get(a)!;
    return d > 0n ? 1 : d < 0n ? -1 : a.localeCompare(b);
  });

  let labels = new Map<string, string>();
  if (input.query.by === "key" && ids.length > 0) {
    // Keys of this account only (the rollup's customerId already says so; the join says it again).
    const keys = await db.apiKey.findMany({
      where: { id: { in: ids }, order: { customerId: input.customerId } },
      select: { id: true, name: true, lastFour: true },
    });
    labels = new Map(keys.map((k) => [k.id, `${k.name} …${k.lastFour}`]));
  }

  const days: string[] = [];
  for (let t = from.getTime(); t <= to.getTime(); t += DAY) days.push(utcDay(new Date(t)));

  return {
    split: input.query.by,
    from: utcDay(from),
    to: utcDay(to),
    days,
    series: ids.map((id) => ({ id, label: labels.get(id) ?? id })),
    rows,
    totals,
    order,
  };
}
