import "server-only";
import type { Database, SqlQuery } from "@/lib/db";
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
  db?: () => Database;
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
export function recordUsage(db: () => Database, record: UsageRecord): void {
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

// A batch is written in one transaction of set-based statements, each taking its rows as one
// JSON parameter expanded by PostgreSQL (json_to_recordset), on the driver directly: the CPU this
// costs is the gateway's, so per-row work in JavaScript and Prisma's per-query compilation of the
// large parameter are both avoided. DateTime columns are timestamp(3) holding UTC, which is what
// the ISO strings carry; bigints travel as strings.
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

const LEDGER_HAS_REQUESTS = `SELECT 1 FROM ledger_entries WHERE "requestId" IN (SELECT value FROM json_array_elements_text($1::json)) LIMIT 1`;

// Rollups are summed per (day, key, model) in JavaScript first: one row each, so the upsert never
// touches a row twice.
const UPSERT_ROLLUPS = `INSERT INTO usage_daily (day, "apiKeyId", model, "customerId", "orderId", requests, errors, "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costMicros")
  SELECT day, "apiKeyId", model, "customerId", "orderId", requests, errors, "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costMicros"
  FROM json_to_recordset($1::json) AS r(day date, "apiKeyId" text, model text, "customerId" text, "orderId" text, requests integer, errors integer,
    "inputTokens" bigint, "outputTokens" bigint, "cacheReadTokens" bigint, "cacheWriteTokens" bigint, "costMicros" bigint)
  ON CONFLICT (day, "apiKeyId", model) DO UPDATE SET
    requests = usage_daily.requests + EXCLUDED.requests,
    errors = usage_daily.errors + EXCLUDED.errors,
    "inputTokens" = usage_daily."inputTokens" + EXCLUDED."inputTokens",
    "outputTokens" = usage_daily."outputTokens" + EXCLUDED."outputTokens",
    "cacheReadTokens" = usage_daily."cacheReadTokens" + EXCLUDED."cacheReadTokens",
    "cacheWriteTokens" = usage_daily."cacheWriteTokens" + EXCLUDED."cacheWriteTokens",
    "costMicros" = usage_daily."costMicros" + EXCLUDED."costMicros"`;

const INSERT_DEBITS = `INSERT INTO ledger_entries ("orderId", kind, "amountMicros", "requestId", "createdAt")
  SELECT "orderId", 'DEBIT'::"LedgerKind", "amountMicros", "requestId", "createdAt"
  FROM json_to_recordset($1::json) AS r("orderId" text, "amountMicros" bigint, "requestId" text, "createdAt" timestamp(3))`;

// The running total of each order's ledger (Order.balanceMicros) moves with its debits.
const DEBIT_BALANCES = `UPDATE orders SET "balanceMicros" = orders."balanceMicros" - r.spent, "updatedAt" = $2::timestamp(3)
  FROM json_to_recordset($1::json) AS r(id text, spent bigint) WHERE orders.id = r.id`;

const TOUCH_KEYS = `UPDATE api_keys SET "lastUsedAt" = r.at, "updatedAt" = $2::timestamp(3)
  FROM json_to_recordset($1::json) AS r(id text, at timestamp(3))
  WHERE api_keys.id = r.id AND (api_keys."lastUsedAt" IS NULL OR api_keys."lastUsedAt" < r.at)`;

/** The batch as JSON for json_to_recordset; costs as strings, bigint having no JSON form. */
function logRowsJson(batch: UsageRecord[]): string {
  return JSON.stringify(batch.map((r) => ({ ...r, costMicros: r.costMicros.toString() })));
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

interface Rollup {
  day: string;
  apiKeyId: string;
  model: string;
  customerId: string;
  orderId: string;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cost: bigint;
}

async function writeBatch(db: Database, batch: UsageRecord[]): Promise<void> {
  const rollups = new Map<string, Rollup>();
  const debits: { orderId: string; amountMicros: string; requestId: string; createdAt: Date }[] = [];
  const balances = new Map<string, bigint>();
  const lastUsed = new Map<string, Date>();
  for (const r of batch) {
    if (!r.apiKeyId || !r.orderId || !r.customerId) continue;
    const prev = lastUsed.get(r.apiKeyId);
    if (!prev || prev < r.createdAt) lastUsed.set(r.apiKeyId, r.createdAt);
    if (!r.model) continue;
    const day = utcDay(r.createdAt);
    const key = `${day}|${r.apiKeyId}|${r.model}`;
    let agg = rollups.get(key);
    if (!agg) {
      agg = { day, apiKeyId: r.apiKeyId, model: r.model, customerId: r.customerId, orderId: r.orderId, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cost: 0n };
      rollups.set(key, agg);
    }
    agg.requests += 1;
    agg.errors += r.status >= 400 ? 1 : 0;
    agg.inputTokens += r.inputTokens;
    agg.outputTokens += r.outputTokens;
    agg.cacheReadTokens += r.cacheReadTokens;
    agg.cacheWriteTokens += r.cacheWriteTokens;
    agg.cost += r.costMicros;
    if (r.costMicros > 0n) {
      debits.push({ orderId: r.orderId, amountMicros: (-r.costMicros).toString(), requestId: r.requestId, createdAt: r.createdAt });
      balances.set(r.orderId, (balances.get(r.orderId) ?? 0n) + r.costMicros);
    }
  }
  const now = new Date().toISOString();
  await db.transaction(async (query: SqlQuery) => {
    // ON CONFLICT DO NOTHING: a batch retried after a commit whose answer was lost must not count twice.
    const inserted = await query(INSERT_LOGS, [logRowsJson(batch)]);
    if (inserted.rowCount !== batch.length) {
      const written = await query(LEDGER_HAS_REQUESTS, [JSON.stringify(batch.map((b) => b.requestId))]);
      if (written.rows.length > 0) throw new Error("usage batch already written in part; refusing to double-count");
    }
    if (rollups.size > 0) {
      await query(UPSERT_ROLLUPS, [JSON.stringify([...rollups.values()].map(({ cost, ...rest }) => ({ ...rest, costMicros: cost.toString() })))]);
    }
    if (debits.length > 0) {
      await query(INSERT_DEBITS, [JSON.stringify(debits)]);
      await query(DEBIT_BALANCES, [JSON.stringify([...balances].map(([id, spent]) => ({ id, spent: spent.toString() }))), now]);
    }
    if (lastUsed.size > 0) await query(TOUCH_KEYS, [JSON.stringify([...lastUsed].map(([id, at]) => ({ id, at }))), now]);
  });
}
