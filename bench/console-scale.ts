/**
 * npm run bench:console [-- --samples 15] [-- --no-http]
 *
 * Server time of the console's request log, request lookup, key and order pages, and of the
 * buyer's usage page, request log and CSV export (issue 17: the same target, and the export's
 * memory flat), on a PostgreSQL database
 * filled by `npm run gatehouse -- seed --requests 1000000` (DATABASE_URL, or BENCH_DATABASE_URL).
 * Target (issue 16): ≤ 300 ms each. Two measurements:
 *   data  the lib/ calls each page makes, in this process (median, p95, max over the samples);
 *   http  the pages themselves, rendered by a production server (`scripts/start.mjs`, built when
 *         stale) on a free loopback port, signed in as a support agent through a session row this
 *         script adds and removes; the time to the last byte on loopback is the server's time.
 * Reads only, apart from that session (and the bench's support user, kept for the next run).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { openDatabase } from "@/lib/db";
import { getConsoleKey, keyListQuerySchema, listConsoleKeys } from "@/lib/keys";
import { getConsoleOrder } from "@/lib/orders";
import {
  eachCustomerRequest,
  findRequestId,
  getRequestDetail,
  listCustomerRequests,
  listRequests,
  requestListQuerySchema,
  requestLogQuerySchema,
} from "@/lib/requests";
import { csvRow, type CsvValue } from "@/lib/text/csv";
import { getCustomerBalances, loadAccountRunways, readUsageReport, usageQuerySchema } from "@/lib/usage";
import { freePort } from "@/test/free-port";
import { sleep, spawnPinned, stopProc, tail, SERVER_CORE, type Proc } from "./processes";

const { values: flags } = parseArgs({
  options: { samples: { type: "string", default: "15" }, "no-http": { type: "boolean", default: false } },
});
const SAMPLES = Math.max(3, Number(flags.samples));
const TARGET_MS = 300;
const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (!url?.startsWith("postgres")) {
  console.error("Set DATABASE_URL (or BENCH_DATABASE_URL) to the PostgreSQL database that `npm run gatehouse -- seed --requests 1000000` filled.");
  process.exit(2);
}

const database = openDatabase({ kind: "postgres", url });
const db = database.prisma;

interface Figure {
  name: string;
  median: number;
  p95: number;
  max: number;
}
const figures: { phase: string; figure: Figure }[] = [];

function summarise(name: string, times: number[]): Figure {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { name, median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! };
}

async function measure(phase: string, name: string, run: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 2; i++) await run(i); // warm-up: connections, plans, caches
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  const figure = summarise(name, times);
  figures.push({ phase, figure });
  const verdict = figure.median <= TARGET_MS ? "ok" : "OVER";
  console.log(
    `  ${name.padEnd(52)} median ${figure.median.toFixed(1).padStart(7)} ms  p95 ${figure.p95.toFixed(1).padStart(7)} ms  max ${figure.max.toFixed(1).padStart(7)} ms  ${verdict}`,
  );
}

const logs = await db.requestLog.count();
console.log(`Request logs in the database: ${logs.toLocaleString("en-US")}; ${SAMPLES} samples per figure; target ≤ ${TARGET_MS} ms.`);
if (logs < 100_000) console.log("  (fewer than 100,000 rows: run `npm run gatehouse -- seed --requests 1000000` first for the scale figures)");

// Request ids to look up, spread over the table (a buyer's id can be anywhere in it).
const sampleIds = (await db.$queryRawUnsafe<{ requestId: string }[]>(`SELECT "requestId" FROM request_logs TABLESAMPLE SYSTEM (0.1) LIMIT 200`)).map(
  (r) => r.requestId,
);
if (sampleIds.length === 0) sampleIds.push(...(await db.requestLog.findMany({ select: { requestId: true }, take: 20 })).map((r) => r.requestId));
const scaleKey = await db.apiKey.findFirst({ where: { order: { marketplaceOrderId: "SCALE-1" } }, select: { id: true } });
const busiestKey = scaleKey ?? (await db.apiKey.findFirst({ orderBy: { lastUsedAt: { sort: "desc", nulls: "last" } }, select: { id: true } }));
const pick = (i: number) => sampleIds[i % sampleIds.length]!;
const list = (params: Record<string, string>) => listRequests(db, { query: requestListQuerySchema.parse(params) });

console.log("\ndata (the lib/ calls of each page, in process):");
await measure("data", "requests page: newest 50", () => list({}));
await measure("data", "requests page: account scale-1@example.com", () => list({ email: "scale-1@example.com" }));
await measure("data", "requests page: model claude-sonnet-4-6", () => list({ model: "claude-sonnet-4-6" }));
await measure("data", "requests page: status error", () => list({ status: "error" }));
await measure("data", "requests page: status 201 (never logged)", () => list({ status: "201" }));
await measure("data", "requests page: error code upstream_error (1%)", () => list({ code: "upstream_error" }));
await measure("data", "requests page: error code never logged", () => list({ code: "ip_not_allowed" }));
await measure("data", "requests page: last 24 hours", () => list({ from: new Date(Date.now() - 86_400_000).toISOString().slice(0, 16) }));
if (busiestKey) await measure("data", "requests page: one key", () => list({ key: busiestKey.id }));
const deepCursor = await (async () => {
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) cursor = (await listRequests(db, { query: { ...requestListQuerySchema.parse({}), cursor } })).nextCursor;
  return cursor;
})();
await measure("data", "requests page: page 21 (by cursor)", () => listRequests(db, { query: { ...requestListQuerySchema.parse({}), cursor: deepCursor } }));
await measure("data", "request lookup: id with whitespace → detail", async (i) => {
  const found = await findRequestId(db, `  ${pick(i)}\n`);
  return getRequestDetail(db, found!);
});
if (busiestKey) {
  await measure("data", "key page: key + 10 recent requests", async () => {
    await getConsoleKey(db, busiestKey.id);
    return listRequests(db, { query: requestListQuerySchema.parse({ key: busiestKey.id }), take: 10 });
  });
}
await measure("data", "keys page: search by email", () => listConsoleKeys(db, { query: keyListQuerySchema.parse({ q: "scale-2@example.com" }) }));
const scaleOrder = await db.order.findFirst({ where: { marketplaceOrderId: "SCALE-1" }, select: { id: true, customerId: true } });
if (scaleOrder) {
  const customerId = scaleOrder.customerId;
  const buyerLogs = await db.requestLog.count({ where: { customerId } });
  await measure("data", "order page (console): SCALE-1", () => getConsoleOrder(db, scaleOrder.id));

  console.log(`\nbuyer pages (the account of SCALE-1: ${buyerLogs.toLocaleString("en-US")} request logs):`);
  for (const range of ["30", "90"] as const) {
    await measure("data", `usage page: last ${range} days by model + runway`, () =>
      Promise.all([readUsageReport(db, { customerId, query: usageQuerySchema.parse({ range }) }), loadAccountRunways(db, { customerId })]),
    );
  }
  await measure("data", "usage page: by key", () => readUsageReport(db, { customerId, query: usageQuerySchema.parse({ by: "key" }) }));
  await measure("data", "request log: first page", () => listCustomerRequests(db, { customerId, query: requestLogQuerySchema.parse({}) }));
  await measure("data", "request log: errors only", () => listCustomerRequests(db, { customerId, query: requestLogQuerySchema.parse({ outcome: "error" }) }));
  await measure("data", "balance page", () => getCustomerBalances(db, { customerId }));

  // The CSV export of the whole account: the route's reader, each row formatted as a CSV line and
  // dropped; the resident memory is sampled while it streams, so a growing buffer would show.
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  let rows = 0;
  let bytes = 0;
  // The heap after a full collection every 50,000 rows: flat when nothing is kept (npm run
  // bench:console passes --expose-gc; without it these figures are left out).
  const heapAfterGc: number[] = [];
  for await (const r of eachCustomerRequest(db, { customerId, query: requestLogQuerySchema.parse({}) })) {
    rows++;
    bytes += csvRow(Object.values(r) as CsvValue[]).length;
    if (rows % 50_000 === 0 && globalThis.gc) {
      globalThis.gc();
      heapAfterGc.push(process.memoryUsage().heapUsed);
    }
  }
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `  CSV export: ${rows.toLocaleString("en-US")} rows (~${Math.round(bytes / 1e6)} MB of CSV) in ${seconds.toFixed(1)} s; RSS ${Math.round(rssBefore / 1e6)} MB → peak ${Math.round(rssPeak / 1e6)} MB`,
  );
  if (heapAfterGc.length > 0) console.log(`  heap after a collection every 50,000 rows: ${heapAfterGc.map((b) => `${Math.round(b / 1e6)} MB`).join(", ")}`);
}

async function httpPhase(): Promise<void> {
  const email = "bench-support@example.com";
  const user = await db.user.upsert({
    where: { email },
    create: { email, role: "SUPPORT", name: "Bench Support" },
    update: { role: "SUPPORT" },
    select: { id: true },
  });
  const sessionToken = randomBytes(32).toString("hex");
  await db.session.create({ data: { sessionToken, userId: user.id, expires: new Date(Date.now() + 3_600_000) } });
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-console-"));
  const port = await freePort();
  let proc: Proc | undefined;
  try {
    proc = spawnPinned("server-console", SERVER_CORE, ["scripts/start.mjs"], {
      env: { ...process.env, DATABASE_URL: url, PORT: String(port), GATEHOUSE_DATA_DIR: dataDir, NODE_ENV: "production", LOG_LEVEL: "warn", REDIS_URL: "" },
      logFile: join(dataDir, "server.log"),
    });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10 * 60_000;
    for (;;) {
      if (proc.hasExited()) throw new Error(`the server exited during start-up:\n${tail(proc.output())}`);
      if (Date.now() > deadline) throw new Error(`the server did not start:\n${tail(proc.output())}`);
      try {
        if ((await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2000) })).ok) break;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    const get = async (path: string, expect = 200) => {
      const res = await fetch(`${base}${path}`, { headers: { cookie: `authjs.session-token=${sessionToken}` }, redirect: "manual" });
      const body = await res.text();
      if (res.status !== expect) throw new Error(`GET ${path}: ${res.status}, expected ${expect}\n${body.slice(0, 500)}`);
      return body;
    };
    console.log("\nhttp (the pages, rendered by the production server; time to the last byte on loopback):");
    await measure("http", "GET /console/requests", () => get("/console/requests"));
    await measure("http", "GET /console/requests?email=scale-1@example.com", () => get("/console/requests?email=scale-1%40example.com"));
    await measure("http", "GET /console/requests?code=upstream_error", () => get("/console/requests?code=upstream_error"));
    await measure("http", "GET /console/requests?id=%20<id>%20 (lookup → 307)", (i) => get(`/console/requests?id=${encodeURIComponent(` ${pick(i)} `)}`, 307));
    await measure("http", "GET /console/requests/<id>", (i) => get(`/console/requests/${pick(i)}`));
    if (busiestKey) await measure("http", "GET /console/keys/<id>", () => get(`/console/keys/${busiestKey.id}`));
    await measure("http", "GET /console/keys?q=scale-2@example.com", () => get("/console/keys?q=scale-2%40example.com"));
  } finally {
    if (proc) await stopProc(proc, 15_000);
    await db.session.deleteMany({ where: { sessionToken } });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (!flags["no-http"]) await httpPhase();

const over = figures.filter((f) => f.figure.median > TARGET_MS);
console.log(
  over.length === 0 ? `\nAll medians within ${TARGET_MS} ms.` : `\nOver ${TARGET_MS} ms (median): ${over.map((f) => `${f.phase} ${f.figure.name}`).join("; ")}`,
);
await db.$disconnect();
process.exit(over.length === 0 ? 0 : 1);
