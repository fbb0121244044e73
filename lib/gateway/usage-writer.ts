import "server-only";
import type { Prisma } from "@/lib/db";
import { logger } from "@/lib/server/logger";
import { onShutdown } from "@/lib/server/shutdown";

/** One finished request, as the request log, the daily rollup and the ledger need it. */
export interface UsageRecord {
  requestId: string;
  apiKeyId: string | null;
  customerId: string | null;
  orderId: string | null;
  endpoint: string;
  protocol: string;
  model: string | null;
  upstreamModel: string | null;
  stream: boolean;
  status: number;
  errorCode: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costMicros: bigint;
  estimated: boolean;
  latencyMs: number;
  ttfbMs: number | null;
  channelId: string | null;
  clientIp: string | null;
  createdAt: Date;
}

// Metering is written off the response path: records queue in memory and a flush writes a batch
// (log rows, rollups, ledger debits, balances, last-used times) in one transaction. A failed
// flush keeps the batch for the next try, and the shutdown hook drains the queue before exit.

const FLUSH_INTERVAL_MS = 200;
const FLUSH_SIZE = 250;
const MAX_QUEUE = 200_000;

interface WriterState {
  queue: UsageRecord[];
  timer?: NodeJS.Timeout;
  flushing?: Promise<void>;
  db?: () => Prisma;
  hooked?: boolean;
}

const STATE = Symbol.for("gatehouse.gateway.usageWriter");
type WithState = typeof globalThis & { [STATE]?: WriterState };

function state(): WriterState {
  const g = globalThis as WithState;
  g[STATE] ??= { queue: [] };
  return g[STATE];
}

/** Queues a record; it reaches the database within a fraction of a second. */
export function recordUsage(db: () => Prisma, record: UsageRecord): void {
  const s = state();
  s.db = db;
  if (s.queue.length >= MAX_QUEUE) {
    logger.error({ requestId: record.requestId }, "usage queue full; the database is not keeping up");
  }
  s.queue.push(record);
  if (!s.hooked) {
    s.hooked = true;
    // Before the database closes (it is the last hook), write everything still queued.
    onShutdown("usage writer", () => flushUsage({ all: true }), { order: 100, timeoutMs: 15_000 });
  }
  if (s.queue.length >= FLUSH_SIZE) void flushUsage();
  else s.timer ??= setTimeout(() => void flushUsage(), FLUSH_INTERVAL_MS);
}

/** Writes queued records now; with `all`, until the queue is empty. */
export async function flushUsage(options: { all?: boolean } = {}): Promise<void> {
  const s = state();
  if (s.timer) {
    clearTimeout(s.timer);
    s.timer = undefined;
  }
  do {
    if (s.flushing) {
      await s.flushing;
      continue;
    }
    if (s.queue.length === 0 || !s.db) return;
    const batch = s.queue.splice(0, 1000);
    s.flushing = writeBatch(s.db(), batch)
      .catch((err: unknown) => {
        s.queue.unshift(...batch);
        logger.error({ err, records: batch.length }, "writing usage failed; will retry");
        if (options.all) throw err;
      })
      .finally(() => {
        s.flushing = undefined;
      });
    await s.flushing;
  } while (options.all && s.queue.length > 0);
  if (s.queue.length > 0) s.timer ??= setTimeout(() => void flushUsage(), FLUSH_INTERVAL_MS);
}

// The log rows and debits of a batch go in as one JSON parameter expanded by PostgreSQL: set-based
// inserts cost a fraction of the per-row work Prisma's createMany does on the hot path's CPU.
// DateTime columns are timestamp(3) holding UTC, which is what the ISO strings carry.
const LOG_COLUMNS = [
  ['"requestId"', "text"],
  ['"apiKeyId"', "text"],
  ['"customerId"', "text"],
  ['"orderId"', "text"],
  ["endpoint", "text"],
  ["protocol", "text"],
  ["model", "text"],
  ['"upstreamModel"', "text"],
  ["stream", "boolean"],
  ["status", "integer"],
  ['"errorCode"', "text"],
  ['"inputTokens"', "integer"],
  ['"outputTokens"', "integer"],
  ['"cacheReadTokens"', "integer"],
  ['"cacheWriteTokens"', "integer"],
  ['"costMicros"', "bigint"],
  ["estimated", "boolean"],
  ['"latencyMs"', "integer"],
  ['"ttfbMs"', "integer"],
  ['"channelId"', "text"],
  ['"clientIp"', "text"],
  ['"createdAt"', "timestamp(3)"],
] as const;

const INSERT_LOGS = `INSERT INTO request_logs (${LOG_COLUMNS.map(([c]) => c).join(", ")})
  SELECT ${LOG_COLUMNS.map(([c]) => c).join(", ")}
  FROM json_to_recordset($1::json) AS r(${LOG_COLUMNS.map(([c, t]) => `${c} ${t}`).join(", ")})
  ON CONFLICT ("requestId") DO NOTHING`;

const INSERT_DEBITS = `INSERT INTO ledger_entries ("orderId", kind, "amountMicros", "requestId", "createdAt")
  SELECT "orderId", 'DEBIT'::"LedgerKind", "amountMicros", "requestId", "createdAt"
  FROM json_to_recordset($1::json) AS r("orderId" text, "amountMicros" bigint, "requestId" text, "createdAt" timestamp(3))`;

function toJson(rows: object[]): string {
  return JSON.stringify(rows, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

function utcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

async function writeBatch(db: Prisma, batch: UsageRecord[]): Promise<void> {
  const rollups = new Map<string, { day: Date; r: UsageRecord; requests: number; errors: number; input: number; output: number; cacheRead: number; cacheWrite: number; cost: bigint }>();
  const debits: { orderId: string; amountMicros: bigint; requestId: string; createdAt: Date }[] = [];
  const balances = new Map<string, bigint>();
  const lastUsed = new Map<string, Date>();
  for (const r of batch) {
    if (!r.apiKeyId || !r.orderId || !r.customerId) continue;
    const prev = lastUsed.get(r.apiKeyId);
    if (!prev || prev < r.createdAt) lastUsed.set(r.apiKeyId, r.createdAt);
    if (!r.model) continue;
    const day = utcDay(r.createdAt);
    const key = `${day.getTime()}|${r.apiKeyId}|${r.model}`;
    const agg = rollups.get(key) ?? { day, r, requests: 0, errors: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0n };
    agg.requests += 1;
    agg.errors += r.status >= 400 ? 1 : 0;
    agg.input += r.inputTokens;
    agg.output += r.outputTokens;
    agg.cacheRead += r.cacheReadTokens;
    agg.cacheWrite += r.cacheWriteTokens;
    agg.cost += r.costMicros;
    rollups.set(key, agg);
    if (r.costMicros > 0n) {
      debits.push({ orderId: r.orderId, amountMicros: -r.costMicros, requestId: r.requestId, createdAt: r.createdAt });
      balances.set(r.orderId, (balances.get(r.orderId) ?? 0n) + r.costMicros);
    }
  }
  await db.$transaction(async (tx) => {
    // ON CONFLICT DO NOTHING: a batch retried after a commit whose answer was lost must not count twice.
    const inserted = await tx.$executeRawUnsafe(INSERT_LOGS, toJson(batch));
    if (inserted !== batch.length) {
      const existing = new Set((await tx.ledgerEntry.findMany({ where: { requestId: { in: batch.map((b) => b.requestId) } }, select: { requestId: true } })).map((e) => e.requestId));
      if (existing.size > 0) throw new Error("usage batch already written in part; refusing to double-count");
    }
    for (const a of rollups.values()) {
      await tx.$executeRawUnsafe(
        `INSERT INTO usage_daily (day, "apiKeyId", model, "customerId", "orderId", requests, errors, "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costMicros")
         VALUES ($1::date, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (day, "apiKeyId", model) DO UPDATE SET
           requests = usage_daily.requests + EXCLUDED.requests,
           errors = usage_daily.errors + EXCLUDED.errors,
           "inputTokens" = usage_daily."inputTokens" + EXCLUDED."inputTokens",
           "outputTokens" = usage_daily."outputTokens" + EXCLUDED."outputTokens",
           "cacheReadTokens" = usage_daily."cacheReadTokens" + EXCLUDED."cacheReadTokens",
           "cacheWriteTokens" = usage_daily."cacheWriteTokens" + EXCLUDED."cacheWriteTokens",
           "costMicros" = usage_daily."costMicros" + EXCLUDED."costMicros"`,
        a.day.toISOString().slice(0, 10),
        a.r.apiKeyId,
        a.r.model,
        a.r.customerId,
        a.r.orderId,
        a.requests,
        a.errors,
        BigInt(a.input),
        BigInt(a.output),
        BigInt(a.cacheRead),
        BigInt(a.cacheWrite),
        a.cost,
      );
    }
    if (debits.length > 0) await tx.$executeRawUnsafe(INSERT_DEBITS, toJson(debits));
    for (const [orderId, spent] of balances) {
      await tx.order.update({ where: { id: orderId }, data: { balanceMicros: { decrement: spent } } });
    }
    for (const [apiKeyId, at] of lastUsed) {
      await tx.apiKey.updateMany({ where: { id: apiKeyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] }, data: { lastUsedAt: at } });
    }
  });
}
