/**
 * npm run bench [-- --quick] [-- --duration 8] [-- --rounds 4] [-- --streams 1000] [-- --no-pglite] [-- --no-postgres] [-- --gateway-via-next] [-- --upstream-http2] [-- --phases ref,load,ttfb,hold,unknown] [-- --json out.json]
 * npm run bench -- --profile gateway|gateway-pglite|floor [--duration 10]   (CPU profile of the
 *   server, on PostgreSQL or for gateway-pglite on PGlite, under c=50 load on that target only;
 *   with --phases unknown under the unknown-keys phase, with --phases hold under the burst of
 *   --streams held streams; summarise with bench/profile-summary.ts)
 *
 * Compares, on loopback only, with processes pinned to cores:
 *   direct          the load generator straight to the mock upstream
 *   bare proxy      bench/bare-proxy.ts, plain node:http + keep-alive Agent
 *   floor           app/bench-floor/route.ts: the minimal proxy route in the same Next build
 *   gateway (PG)    /v1/chat/completions with key checks, limits and metering, on PostgreSQL
 *   gateway (PGlite) the same on the embedded database
 * and prints RPS, p50/p99, streaming TTFB, slow streams held and RSS next to the floor, with
 * PASS/FAIL against the targets of issue 6. See bench/README.md for the method and the figures.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { generateApiKey } from "../lib/credentials/generate-api-key";
import { holdStreams, loadTest, loadTestGet, mergeLoad, probe, streamTtfb, type HoldResult, type LoadResult, type Target, type TtfbResult } from "./measure";
import {
  CLIENT_CORE,
  cpuMs,
  ensureFileLimit,
  baseEnv,
  cleanupRegistry,
  dropDatabase,
  fileLimit,
  listenDrops,
  sampleOpenFiles,
  NODE_TS,
  pinningNote,
  pinSelf,
  processTree,
  ROOT,
  rssMb,
  runQueueWaitMs,
  sampleRss,
  SERVER_CORE,
  sleep,
  spawnPinned,
  stopProc,
  tail,
  waitForOutput,
  type Proc,
} from "./processes";
import { freePort } from "@/test/free-port";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    duration: { type: "string" },
    rounds: { type: "string" },
    warmup: { type: "string" },
    streams: { type: "string" },
    "ttfb-samples": { type: "string" },
    "no-pglite": { type: "boolean", default: false },
    "no-postgres": { type: "boolean", default: false },
    "gateway-via-next": { type: "boolean", default: false },
    "upstream-http2": { type: "boolean", default: false },
    profile: { type: "string" },
    phases: { type: "string", default: "ref,load,ttfb,hold,unknown" },
    json: { type: "string" },
  },
});

const QUICK = flags.quick === true;
const PHASES = new Set((flags.phases ?? "").split(",").map((p) => p.trim()));
const SECONDS = Number(flags.duration ?? (QUICK ? 2 : 8));
/** Each load measurement is split into this many rounds, the targets taking turns (see measureLoad). */
const ROUNDS = Math.max(1, Math.floor(Number(flags.rounds ?? (QUICK ? 1 : 4))));
const WARMUP_SECONDS = Number(flags.warmup ?? (QUICK ? 1 : 2));
const STREAMS = Number(flags.streams ?? (QUICK ? 100 : 1000));
const TTFB_SAMPLES = Number(flags["ttfb-samples"] ?? (QUICK ? 50 : 200));
/** Slow streams: tokens × chunk delay ≈ 10 s (2 s with --quick). */
const SLOW_TOKENS = 17;
const SLOW_CHUNK_DELAY_MS = QUICK ? 100 : 500;
const SLOW_MODEL = "gpt-4o-mini";
/** Served only by an Anthropic-protocol channel: an OpenAI client's request for it is translated. */
const TRANSLATED_MODEL = "claude-haiku-4-5";
const MODEL = "gpt-4.1-mini";
const ADMIN_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const BUILD_TIMEOUT_MS = 10 * 60_000;
/** Unknown keys one client may send before the limit refuses them (lib/gateway/unknown-key-limit.ts), warm-up included. */
const UNKNOWN_KEY_POINTS_SEEN = 30;
/** Set when the open-file limit is below what the held streams need: shown beside the hold verdicts. */
let fileLimitNote = "";
/**
 * The gateway (UPSTREAM_HTTP2=on) and the bare proxy (--http2) call the mock over HTTP/2: with
 * --upstream-http2, or when the open-file limit is too low for the held streams over HTTP/1.1.
 */
let upstreamHttp2 = flags["upstream-http2"] === true;

const messages = [{ role: "user", content: "Say hello to the benchmark in a few words." }];
const NON_STREAM_BODY = JSON.stringify({ model: MODEL, messages, max_tokens: 16 });
const STREAM_BODY = JSON.stringify({ model: MODEL, messages, max_tokens: 16, stream: true });
const TRANSLATED_STREAM_BODY = JSON.stringify({ model: TRANSLATED_MODEL, messages, max_tokens: 16, stream: true });
const SLOW_BODY = (model: string) => JSON.stringify({ model, messages, max_tokens: SLOW_TOKENS, stream: true });

// ---------------------------------------------------------------------------------------------

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s`;
const say = (line: string) => process.stdout.write(`[${elapsed()}] ${line}\n`);

const { cleanups, cleanup } = cleanupRegistry("bench");

async function startMock(name: string, port: number, logDir: string, chunkDelayMs?: number): Promise<{ proc: Proc; url: string }> {
  const args = [...NODE_TS, "lib/mock-upstream/main.ts", "--port", String(port)];
  if (chunkDelayMs !== undefined) args.push("--chunk-delay-ms", String(chunkDelayMs));
  const proc = spawnPinned(name, CLIENT_CORE, args, { env: baseEnv(), logFile: join(logDir, `${name}.log`) });
  cleanups.push({ name, run: () => stopProc(proc, 5000) });
  await waitForOutput(proc, /listening on (http:\/\/\S+)/, 30_000);
  return { proc, url: `http://127.0.0.1:${port}` };
}

interface Server {
  proc: Proc;
  url: string;
  env: NodeJS.ProcessEnv;
  key: string;
  idleRssMb: number;
}

/** Spawns the server (pinned) and waits until /api/health answers; the first start may build. */
async function launch(label: string, env: NodeJS.ProcessEnv, logDir: string, cpuProfDir?: string): Promise<Proc> {
  const nodeArgs = cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", cpuProfDir] : [];
  const proc = spawnPinned(`server-${label}`, SERVER_CORE, [...nodeArgs, "scripts/start.mjs"], {
    env,
    logFile: join(logDir, `server-${label}.log`),
    onLine: (line) => {
      if (/^\[\d\/\d\]/.test(line)) say(`  server-${label} | ${line}`);
    },
  });
  cleanups.push({ name: `server-${label}`, run: () => stopProc(proc, 15_000) });
  const url = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    if (proc.hasExited()) throw new Error(`server-${label} exited during start-up:\n${tail(proc.output())}`);
    if (Date.now() > deadline) throw new Error(`server-${label} did not start within ${BUILD_TIMEOUT_MS / 60_000} minutes:\n${tail(proc.output())}`);
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return proc;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
}

async function startServer(
  label: string,
  options: { databaseUrl?: string; dataDir: string; logDir: string; mockUrl: string; slowMockUrl: string; cpuProfDir?: string },
): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    PORT: String(port),
    HOST: "127.0.0.1",
    GATEHOUSE_DATA_DIR: options.dataDir,
    // The gateway's channel points at the bench's own mock process (pinned to the client core),
    // not at the server's bundled mock, which would run on the server's core and event loop.
    MOCK_UPSTREAM: "off",
    OPENAI_API_KEY: "bench-upstream-key",
    OPENAI_BASE_URL: `${options.mockUrl}/v1`,
    GATEHOUSE_BENCH_FLOOR_URL: options.mockUrl,
    LOG_LEVEL: "warn",
    SHUTDOWN_DRAIN_MS: "3000",
    // The unknown-keys phase sends X-Forwarded-For to play many clients; no other phase sends it.
    TRUSTED_PROXIES: "127.0.0.1",
  };
  // The gateway as a Next route, like the floor, instead of served by server.ts itself.
  if (flags["gateway-via-next"]) env.GATEHOUSE_GATEWAY_VIA_NEXT = "1";
  if (upstreamHttp2) env.UPSTREAM_HTTP2 = "on";
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  const proc = await launch(label, env, options.logDir, options.cpuProfDir);
  const url = `http://127.0.0.1:${port}`;

  // A plan whose limits are checked but never reached at these rates, an order with a key, and a
  // channel to the slow mock for the held-streams phase (the gateway does not forward the mock's
  // x-mock-* headers, so the pacing comes from that mock's own setting).
  await cli(env, [
    "plan",
    "add",
    "--name",
    "Bench",
    "--models",
    `${MODEL},${SLOW_MODEL},${TRANSLATED_MODEL}`,
    "--days",
    "30",
    "--rpm",
    "1000000",
    "--credit",
    "1000000",
    "--multiplier",
    "1",
  ]);
  // The same mock behind an Anthropic-protocol channel, for the translated-stream case.
  await cli(env, [
    "channel",
    "add",
    "--provider",
    "anthropic",
    "--name",
    "bench-anthropic",
    "--base-url",
    options.mockUrl,
    "--api-key",
    "bench-upstream-key",
    "--models",
    TRANSLATED_MODEL,
  ]);
  const [order] = await Promise.all([
    cli(env, ["order", "create", "--email", "bench@example.com", "--plan", "Bench"]),
    cli(env, [
      "channel",
      "add",
      "--provider",
      "openai",
      "--name",
      "bench-slow",
      "--base-url",
      `${options.slowMockUrl}/v1`,
      "--api-key",
      "bench-upstream-key",
      "--models",
      SLOW_MODEL,
      "--priority",
      "50",
      "--map",
      `${SLOW_MODEL}=bench-slow`,
    ]),
  ]);
  const key = (order as { apiKey?: { key?: string } }).apiKey?.key;
  if (!key) throw new Error(`order create printed no key: ${JSON.stringify(order)}`);
  const server: Server = { proc, url, env, key, idleRssMb: 0 };

  await untilSlowChannelServes(server, label);
  server.idleRssMb = rssMb(processTree(proc.pid));
  return server;
}

/** The catalog is cached for a few seconds: wait until the slow channel serves its model. */
async function untilSlowChannelServes(server: Server, label: string): Promise<void> {
  const gw = gatewayTarget(server, label);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await probe(gw, JSON.stringify({ model: SLOW_MODEL, messages, max_tokens: 1 }));
    if (r.status === 200 && r.body.includes('"bench-slow"')) return;
    if (Date.now() > deadline) throw new Error(`the bench-slow channel never served ${SLOW_MODEL} (last answer ${r.status}: ${r.body.slice(0, 300)})`);
    await sleep(500);
  }
}

/** A process just started, warmed before its RSS is read: 1 s at c=10 per target with each body, then a settling second. */
async function warmBriefly(targets: Target[]): Promise<void> {
  for (const body of [NON_STREAM_BODY, STREAM_BODY]) for (const target of targets) await loadTest(target, body, 10, 1);
  await sleep(1000);
}

/**
 * A new server process on the same database and data directory (no migration, seed or build
 * left to do), warmed up briefly: the slow-streams phase measures RSS from a clean start rather
 * than after the load phases have grown the heap.
 */
async function restartServer(server: Server, label: string, logDir: string, floorUrl: string): Promise<Server> {
  await stopProc(server.proc, 20_000);
  const proc = await launch(`${label}-fresh`, server.env, logDir);
  const fresh: Server = { ...server, proc };
  await untilSlowChannelServes(fresh, label);
  await warmBriefly([gatewayTarget(fresh, label), { name: "floor", url: floorUrl, headers: {} }]);
  fresh.idleRssMb = rssMb(processTree(proc.pid));
  return fresh;
}

async function cli(env: NodeJS.ProcessEnv, args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/gatehouse.mjs", ...args, "--json"], { cwd: ROOT, env });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      try {
        const parsed = JSON.parse(last) as { ok?: boolean; error?: string };
        if (code === 0 && parsed.ok !== false) return resolve(parsed);
        reject(new Error(`gatehouse ${args.slice(0, 2).join(" ")} failed: ${parsed.error ?? last}`));
      } catch {
        reject(new Error(`gatehouse ${args.slice(0, 2).join(" ")} exited ${code}: ${err || out}`));
      }
    });
  });
}

function gatewayTarget(server: Server, label: string): Target {
  return { name: `gateway (${label})`, url: `${server.url}/v1/chat/completions`, headers: { authorization: `Bearer ${server.key}` } };
}

/**
 * Resolves once the server has written the usage it queued (its /api/health says nothing is
 * queued). A run waits for this before its CPU is read, so the metering of its requests is charged
 * to it rather than to whatever runs next in the same process; warm-ups wait for it too.
 */
async function meteringWritten(server: Server, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const health = (await fetch(`${server.url}/api/health`)
      .then((r) => r.json())
      .catch(() => null)) as { metering?: { queued?: number } } | null;
    if (health?.metering?.queued === 0) return;
    if (performance.now() > deadline) throw new Error(`the server still had usage queued after ${timeoutMs / 1000} s (${JSON.stringify(health?.metering)})`);
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------------

interface Row {
  target: string;
  ns1?: LoadResult;
  ns50?: LoadResult;
  st1?: LoadResult;
  st50?: LoadResult;
  ttfb?: TtfbResult;
  hold?: HoldResult & { idleRssMb: number; peakRssMb: number; peakOpenFiles: number; fileLimit: number; listenOverflows: number; listenDrops: number };
  /** Peak RSS of the process under test during the load phases. */
  loadRssMb?: number;
  idleRssMb?: number;
  note?: string;
  /** The translated-stream case (gateway only). */
  translated?: { ttfb: TtfbResult; sameTtfb: TtfbResult; rps50: number; errors: number };
  /** GET /v1/models at c=50: a valid key, then made-up keys from one client and from many. */
  unknown?: { valid: UnknownKeyLoad; oneClient: UnknownKeyLoad; validManyClients: UnknownKeyLoad; manyClients: UnknownKeyLoad };
}

type UnknownKeyLoad = LoadResult & { statuses: Record<string, number> };

function mergeUnknownKeyLoad(rounds: UnknownKeyLoad[]): UnknownKeyLoad {
  const statuses: Record<string, number> = {};
  for (const r of rounds) for (const [status, count] of Object.entries(r.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  return { ...mergeLoad(rounds), statuses };
}

async function checkTarget(target: Target): Promise<void> {
  const ns = await probe(target, NON_STREAM_BODY);
  if (ns.status !== 200 || !ns.body.includes("Mock reply")) throw new Error(`${target.name}: non-stream check answered ${ns.status}: ${ns.body.slice(0, 300)}`);
  const st = await probe(target, STREAM_BODY);
  if (st.status !== 200 || !st.body.includes("data: [DONE]")) throw new Error(`${target.name}: stream check answered ${st.status}: ${st.body.slice(0, 300)}`);
}

/**
 * A load test that also reads, for the process under test, the CPU time it used per request (a
 * figure other work on the machine barely changes) and the share of the time its main thread
 * waited for a core (how much other work there was).
 */
async function loadWithCpu(target: Target, body: string, connections: number, seconds: number, proc?: Proc, server?: Server): Promise<LoadResult> {
  if (!proc) return loadTest(target, body, connections, seconds);
  const pids = processTree(proc.pid);
  const cpu0 = cpuMs(pids);
  const wait0 = runQueueWaitMs(proc.pid);
  const t0 = performance.now();
  const result = await loadTest(target, body, connections, seconds);
  const wall = performance.now() - t0;
  if (server) await meteringWritten(server);
  const used = cpuMs(pids) - cpu0;
  const waited = runQueueWaitMs(proc.pid) - wait0;
  return { ...result, cpuMs: used, waitMs: waited, cpuMsPerRequest: used / Math.max(1, result.requests), cpuWaitShare: waited / wall };
}

/** The row of the bare proxy measured in turns with `target` (the same rounds), for its ratios. */
const besideName = (target: string) => `bare proxy ⇄ ${target.replace(/^gateway /, "")}`;

/**
 * The bare proxy as one more subject of a gateway's load rounds, in a row of its own: CPU per
 * request drifts by tens of percent between minutes here, so the gateway's ratio to the bare
 * proxy (issue 22's target) is read from rounds taken in turns, not from the reference phase.
 */
function bareInTurns(rows: Row[], bare: Proc, target: Target, beside: string): Subject {
  const row: Row = { target: besideName(beside), idleRssMb: rssMb([bare.pid]) };
  rows.push(row);
  return { row, target, proc: bare };
}

interface Subject {
  row: Row;
  target: Target;
  /** The process whose CPU and RSS are read (none for "direct"). */
  proc?: Proc;
  /** A Gatehouse server: each run waits for the usage it queued to be written (`meteringWritten`). */
  server?: Server;
}

/**
 * Non-stream and stream at c=1 and c=50, each mode after a short warm-up at c=50. Several subjects
 * (the floor and the gateway) take turns, each measurement split into ROUNDS rounds in
 * alternating order (A B, B A, A B…) and the rounds merged: this machine's speed drifts by ±10 %
 * over seconds, and a difference of a tenth between two targets is what the bench has to see.
 */
async function measureLoad(subjects: Subject[]): Promise<void> {
  if (!PHASES.has("load")) return;
  for (const s of subjects) await checkTarget(s.target);
  const rss = subjects.map((s) => (s.proc ? sampleRss(s.proc.pid) : undefined));
  for (const [mode, body] of [
    ["non-stream", NON_STREAM_BODY],
    ["stream", STREAM_BODY],
  ] as const) {
    for (const s of subjects) {
      await loadTest(s.target, body, 50, WARMUP_SECONDS);
      if (s.server) await meteringWritten(s.server);
    }
    const results = subjects.map(() => ({}) as { c1?: LoadResult; c50?: LoadResult });
    for (const connections of [1, 50]) {
      const rounds = subjects.map(() => [] as LoadResult[]);
      for (let round = 0; round < ROUNDS; round++) {
        const order = [...subjects.entries()];
        if (round % 2 === 1) order.reverse();
        for (const [i, s] of order) rounds[i]!.push(await loadWithCpu(s.target, body, connections, SECONDS / ROUNDS, s.proc, s.server));
      }
      for (const [i] of subjects.entries()) results[i]![connections === 1 ? "c1" : "c50"] = mergeLoad(rounds[i]!);
    }
    for (const [i, s] of subjects.entries()) {
      const { c1, c50 } = results[i]! as { c1: LoadResult; c50: LoadResult };
      if (mode === "non-stream") Object.assign(s.row, { ns1: c1, ns50: c50 });
      else Object.assign(s.row, { st1: c1, st50: c50 });
      const cpu =
        c50.cpuMsPerRequest !== undefined
          ? `  |  CPU ${c50.cpuMsPerRequest.toFixed(3)} ms/req, waited for a core ${((c50.cpuWaitShare ?? 0) * 100).toFixed(0)} %`
          : "";
      say(
        `  ${s.target.name.padEnd(17)} ${mode.padEnd(10)} c=1 ${c1.rps.toFixed(0).padStart(6)} rps p50 ${ms(c1.p50)}  |  c=50 ${c50.rps.toFixed(0).padStart(6)} rps p99 ${ms(c50.p99)}${cpu}${c1.errors + c50.errors ? `  ERRORS ${c1.errors + c50.errors}` : ""}`,
      );
    }
  }
  for (const [i, s] of subjects.entries()) {
    const r = rss[i]?.stop();
    if (r) s.row.loadRssMb = Math.max(s.row.loadRssMb ?? 0, r.peakMb);
  }
}

async function measureTtfb(subjects: Subject[]): Promise<void> {
  if (!PHASES.has("ttfb")) return;
  const results = await streamTtfb(
    subjects.map((s) => s.target),
    STREAM_BODY,
    TTFB_SAMPLES,
  );
  for (const [i, s] of subjects.entries()) {
    const r = results[i]!;
    s.row.ttfb = r;
    say(
      `  ${s.target.name.padEnd(17)} stream TTFB p50 ${ms(r.p50)} p99 ${ms(r.p99)} (whole stream p50 ${ms(r.totalP50)})${r.errors ? `  ERRORS ${r.errors}` : ""}`,
    );
  }
}

/**
 * An OpenAI client streaming from a model served over the Anthropic protocol, next to the same
 * client on a same-protocol model: what translating the request and every event costs.
 */
async function measureTranslatedStream(gateway: Target, row: Row): Promise<void> {
  if (!PHASES.has("ttfb")) return;
  const [same] = await streamTtfb([gateway], STREAM_BODY, TTFB_SAMPLES);
  const [translated] = await streamTtfb([gateway], TRANSLATED_STREAM_BODY, TTFB_SAMPLES);
  if (!same || !translated) return;
  await loadTest(gateway, TRANSLATED_STREAM_BODY, 50, WARMUP_SECONDS);
  const load = await loadTest(gateway, TRANSLATED_STREAM_BODY, 50, SECONDS);
  row.translated = { ttfb: translated, sameTtfb: same, rps50: load.rps, errors: translated.errors + load.errors };
  say(
    `  translated stream (OpenAI client → Anthropic channel): TTFB p50 ${ms(translated.p50)} vs same-protocol ${ms(same.p50)} ` +
      `(${signed(translated.p50 - same.p50)} ms), whole stream p50 ${ms(translated.totalP50)} vs ${ms(same.totalP50)}, ` +
      `c=50 ${load.rps.toFixed(0)} rps${translated.errors + load.errors ? `  ERRORS ${translated.errors + load.errors}` : ""}`,
  );
}

/**
 * What a made-up key costs next to a valid one: GET /v1/models at c=50 with the bench's key, in
 * turns with a new well-formed random key on every request from one client (after its first unknown
 * keys, refused by the limit of unknown keys per client), then from a new client IP every time
 * (X-Forwarded-For from the trusted loopback: many clients, each within its limit, whose keys are
 * read from the database only within the process's budget for keys no key is known to have),
 * next to the valid key sent the same way (each request from a new client: the same headers to
 * parse, the same client addresses to take in).
 */
async function measureUnknownKeys(server: Server, label: string, row: Row): Promise<void> {
  if (!PHASES.has("unknown")) return;
  const target: Target = { name: `gateway (${label})`, url: `${server.url}/v1/models`, headers: {} };
  const pids = processTree(server.proc.pid);
  // A valid key's requests are metered (an unknown key's are not): each round's usage is written
  // within the round, not charged to the next one.
  const round = async (perRequest: () => Record<string, string>, seconds: number): Promise<UnknownKeyLoad> => {
    const cpu0 = cpuMs(pids);
    const result = await loadTestGet(target, perRequest, 50, seconds);
    await meteringWritten(server);
    const used = cpuMs(pids) - cpu0;
    return { ...result, cpuMs: used, cpuMsPerRequest: used / Math.max(1, result.requests) };
  };
  // A valid key and made-up keys take turns (A B, B A…) in ROUNDS rounds, as the load phase's
  // subjects do: this machine's speed drifts over seconds by more than the difference looked for.
  const inTurns = async (a: () => Record<string, string>, b: () => Record<string, string>): Promise<[UnknownKeyLoad, UnknownKeyLoad]> => {
    for (const perRequest of [a, b]) await round(perRequest, Math.min(2, WARMUP_SECONDS));
    const rounds: [UnknownKeyLoad[], UnknownKeyLoad[]] = [[], []];
    for (let i = 0; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
      for (const j of order) rounds[j].push(await round(j === 0 ? a : b, SECONDS / ROUNDS));
    }
    return [mergeUnknownKeyLoad(rounds[0]), mergeUnknownKeyLoad(rounds[1])];
  };
  let n = 0;
  const newClient = () => {
    n += 1;
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  };
  const [valid, oneClient] = await inTurns(
    () => ({ authorization: `Bearer ${server.key}` }),
    () => ({ authorization: `Bearer ${generateApiKey()}` }),
  );
  const [validManyClients, manyClients] = await inTurns(
    () => ({ authorization: `Bearer ${server.key}`, "x-forwarded-for": newClient() }),
    () => ({ authorization: `Bearer ${generateApiKey()}`, "x-forwarded-for": newClient() }),
  );
  row.unknown = { valid, oneClient, validManyClients, manyClients };
  for (const [name, r] of Object.entries(row.unknown))
    say(
      `  ${target.name.padEnd(17)} /v1/models c=50 ${name.padEnd(11)} ${r.rps.toFixed(0).padStart(6)} rps p99 ${ms(r.p99)}  CPU ${(1000 * (r.cpuMsPerRequest ?? 0)).toFixed(0)} µs/req  ` +
        `statuses ${Object.entries(r.statuses)
          .map(([s, c]) => `${s}×${c}`)
          .join(" ")}${r.errors ? `  ERRORS ${r.errors}` : ""}`,
    );
}

async function measureHold(row: Row, target: Target, server: Proc, body: string, extraHeaders?: Record<string, string>): Promise<void> {
  if (!PHASES.has("hold")) return;
  const pids = processTree(server.pid);
  const idle = rssMb(pids);
  const rss = sampleRss(server.pid, 100);
  const files = sampleOpenFiles(server.pid);
  const drops0 = listenDrops();
  const streamSeconds = (SLOW_TOKENS + 3) * (SLOW_CHUNK_DELAY_MS / 1000);
  const result = await holdStreams(target, body, {
    streams: STREAMS,
    rampMs: QUICK ? 200 : 1000,
    deadlineMs: Math.round(streamSeconds * 5_000 + 10_000),
    extraHeaders,
  });
  const { peakMb } = rss.stop();
  const peakOpenFiles = files.stop();
  const drops1 = listenDrops();
  row.hold = {
    ...result,
    idleRssMb: idle,
    peakRssMb: peakMb,
    peakOpenFiles,
    fileLimit: fileLimit(server.pid).soft,
    listenOverflows: drops1.overflows - drops0.overflows,
    listenDrops: drops1.drops - drops0.drops,
  };
  say(
    `  ${target.name.padEnd(17)} ${STREAMS} slow streams: ${result.completed} ok, ${result.errors} errors, ` +
      `peak streaming at once ${result.peakStreaming}, TTFB p50 ${ms(result.ttfbP50)} p99 ${ms(result.ttfbP99)}, ` +
      `${result.wallSeconds.toFixed(1)} s, RSS ${idle.toFixed(0)} -> ${peakMb.toFixed(0)} MB, open files peak ${peakOpenFiles} of ${row.hold.fileLimit}, ` +
      `listen queue overflows ${row.hold.listenOverflows} (machine-wide)${result.errorKinds.length ? `  [${result.errorKinds.join("; ")}]` : ""}`,
  );
  // Let the server settle (metering flush, sockets closing) before the next phase.
  await sleep(1500);
}

// ---------------------------------------------------------------------------------------------

/** Errors of the target itself: everything but a 502/504 answer (an upstream that failed, answered as such). */
function ownErrors(h: HoldResult): number {
  return h.errors - (h.errorCounts["HTTP 502"] ?? 0) - (h.errorCounts["HTTP 504"] ?? 0);
}

/** What the process grew by per stream held, in KB. */
function growthKbPerStream(h: HoldResult & { idleRssMb: number; peakRssMb: number }): number {
  return (Math.max(0, h.peakRssMb - h.idleRssMb) * 1024) / Math.max(1, h.streams);
}

function ms(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "   -   " : `${value.toFixed(2).padStart(6)} ms`;
}
function num(value: number | undefined, digits = 0): string {
  return value === undefined || Number.isNaN(value) ? "-" : value.toFixed(digits);
}
function signed(value: number | undefined, digits = 2): string {
  return value === undefined || Number.isNaN(value) ? "-" : `${value >= 0 ? "+" : ""}${value.toFixed(digits)}`;
}

function printTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const out = [line(headers), `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...rows.map(line)].join(
    "\n",
  );
  process.stdout.write(`${out}\n`);
  return out;
}

function report(rows: Row[]): { verdicts: Verdict[] } {
  const floor = rows.find((r) => r.target === "floor");
  const direct = rows.find((r) => r.target === "direct");
  const loaded = rows.filter((r) => r.ns1 || r.st1 || r.ttfb);
  if (loaded.length) printLoadTables(loaded, floor, direct);
  return { verdicts: reportHoldsAndVerdicts(rows, floor) };
}

function printLoadTables(rows: Row[], floor: Row | undefined, direct: Row | undefined): void {
  process.stdout.write(`\n## Results (${SECONDS} s per phase after a ${WARMUP_SECONDS} s warm-up; latencies in ms; RSS of the process under test)\n\n`);
  printTable(
    [
      "target",
      "RPS c=1",
      "p50 c=1",
      "p99 c=1",
      "RPS c=50",
      "p99 c=50",
      "stream RPS c=1",
      "stream p50 c=1",
      "stream RPS c=50",
      "stream p99 c=50",
      "TTFB p50",
      "TTFB p99",
      "CPU ms/req c=50",
      "stream CPU ms/req",
      "core wait %",
      "RSS idle/load MB",
    ],
    rows.map((r) => [
      r.target,
      num(r.ns1?.rps),
      num(r.ns1?.p50, 2),
      num(r.ns1?.p99, 2),
      num(r.ns50?.rps),
      num(r.ns50?.p99, 2),
      num(r.st1?.rps),
      num(r.st1?.p50, 2),
      num(r.st50?.rps),
      num(r.st50?.p99, 2),
      num(r.ttfb?.p50, 2),
      num(r.ttfb?.p99, 2),
      num(r.ns50?.cpuMsPerRequest, 3),
      num(r.st50?.cpuMsPerRequest, 3),
      r.ns50?.cpuWaitShare !== undefined ? num(100 * Math.max(r.ns50.cpuWaitShare, r.st50?.cpuWaitShare ?? 0)) : "-",
      r.idleRssMb !== undefined ? `${num(r.idleRssMb)}/${num(r.loadRssMb)}` : "-",
    ]),
  );

  process.stdout.write(`\n## Next to the floor (ratio = target/floor; Δ = target − floor, ms; "added" = p50 − direct p50)\n\n`);
  printTable(
    [
      "target",
      "RPS c=50 ×",
      "stream RPS c=50 ×",
      "RPS c=1 ×",
      "added p50 c=1",
      "Δp50 c=1",
      "Δstream p50 c=1",
      "ΔTTFB p50",
      "ΔCPU µs/req",
      "Δstream CPU µs/req",
      "errors",
    ],
    rows.map((r) => [
      r.target,
      floor?.ns50 && r.ns50 ? (r.ns50.rps / floor.ns50.rps).toFixed(2) : "-",
      floor?.st50 && r.st50 ? (r.st50.rps / floor.st50.rps).toFixed(2) : "-",
      floor?.ns1 && r.ns1 ? (r.ns1.rps / floor.ns1.rps).toFixed(2) : "-",
      direct?.ns1 && r.ns1 ? signed(r.ns1.p50 - direct.ns1.p50) : "-",
      floor?.ns1 && r.ns1 ? signed(r.ns1.p50 - floor.ns1.p50) : "-",
      floor?.st1 && r.st1 ? signed(r.st1.p50 - floor.st1.p50) : "-",
      floor?.ttfb && r.ttfb ? signed(r.ttfb.p50 - floor.ttfb.p50) : "-",
      floor?.ns50?.cpuMsPerRequest !== undefined && r.ns50?.cpuMsPerRequest !== undefined
        ? signed(1000 * (r.ns50.cpuMsPerRequest - floor.ns50.cpuMsPerRequest), 0)
        : "-",
      floor?.st50?.cpuMsPerRequest !== undefined && r.st50?.cpuMsPerRequest !== undefined
        ? signed(1000 * (r.st50.cpuMsPerRequest - floor.st50.cpuMsPerRequest), 0)
        : "-",
      String([r.ns1, r.ns50, r.st1, r.st50].reduce((n, x) => n + (x?.errors ?? 0), 0) + (r.ttfb?.errors ?? 0)),
    ]),
  );
}

type Verdict = { check: string; value: string; pass: boolean };

function reportHoldsAndVerdicts(rows: Row[], floor: Row | undefined): Verdict[] {
  const holds = rows.filter((r) => r.hold);
  if (holds.length) {
    const streamSeconds = (SLOW_TOKENS + 3) * (SLOW_CHUNK_DELAY_MS / 1000);
    process.stdout.write(
      `\n## ${STREAMS} slow streams (${SLOW_TOKENS} tokens, ${SLOW_CHUNK_DELAY_MS} ms apart ≈ ${streamSeconds.toFixed(0)} s each, opened over ${QUICK ? 0.2 : 1} s${upstreamHttp2 ? "; upstream calls over HTTP/2" : ""})\n\n`,
    );
    printTable(
      [
        "target",
        "completed",
        "errors",
        "of them upstream 502/504",
        "peak open",
        "peak streaming",
        "TTFB p50",
        "TTFB p99",
        "stream p50 s",
        "wall s",
        "RSS idle MB",
        "RSS peak MB",
        "KB/stream",
        "open files peak / limit",
        "listen overflows",
      ],
      holds.map((r) => {
        const h = r.hold!;
        return [
          r.target,
          String(h.completed),
          String(h.errors),
          String(h.errors - ownErrors(h)),
          String(h.peakOpen),
          String(h.peakStreaming),
          num(h.ttfbP50, 1),
          num(h.ttfbP99, 1),
          num(h.durationP50 / 1000, 1),
          num(h.wallSeconds, 1),
          num(h.idleRssMb),
          num(h.peakRssMb),
          num(growthKbPerStream(h)),
          `${h.peakOpenFiles} / ${h.fileLimit}`,
          String(h.listenOverflows),
        ];
      }),
    );
    const bareHold = rows.find((r) => r.target === "bare proxy")?.hold;
    if (bareHold) {
      process.stdout.write(`\n## The same streams next to the bare proxy (× = target / bare proxy)\n\n`);
      const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "-");
      printTable(
        ["target", "errors (bare)", "peak streaming ×", "TTFB p50 ×", "TTFB p99 ×", "RSS growth per stream ×", "RSS peak ×"],
        holds
          .filter((r) => r.target !== "bare proxy")
          .map((r) => {
            const h = r.hold!;
            return [
              r.target,
              `${h.errors} (${bareHold.errors})`,
              ratio(h.peakStreaming, bareHold.peakStreaming),
              ratio(h.ttfbP50, bareHold.ttfbP50),
              ratio(h.ttfbP99, bareHold.ttfbP99),
              ratio(growthKbPerStream(h), growthKbPerStream(bareHold)),
              ratio(h.peakRssMb, bareHold.peakRssMb),
            ];
          }),
      );
    }
  }

  const unknowns = rows.filter((r) => r.unknown);
  if (unknowns.length) {
    process.stdout.write(`\n## Unknown keys (GET /v1/models, c=50, ${SECONDS} s each; CPU of the server process per answer)\n\n`);
    printTable(
      [
        "target",
        "valid key RPS",
        "valid µs/req",
        "unknown, one client RPS",
        "µs/req",
        "answers",
        "valid, many clients µs/req",
        "unknown, many clients RPS",
        "µs/req",
        "answers",
      ],
      unknowns.map((r) => {
        const u = r.unknown!;
        const answers = (x: UnknownKeyLoad) =>
          Object.entries(x.statuses)
            .map(([s, c]) => `${s}×${c}`)
            .join(" ");
        return [
          r.target,
          num(u.valid.rps),
          num(1000 * (u.valid.cpuMsPerRequest ?? Number.NaN)),
          num(u.oneClient.rps),
          num(1000 * (u.oneClient.cpuMsPerRequest ?? Number.NaN)),
          answers(u.oneClient),
          num(1000 * (u.validManyClients.cpuMsPerRequest ?? Number.NaN)),
          num(u.manyClients.rps),
          num(1000 * (u.manyClients.cpuMsPerRequest ?? Number.NaN)),
          answers(u.manyClients),
        ];
      }),
    );
  }

  const verdicts: Verdict[] = [];
  for (const r of rows.filter((x) => x.target.startsWith("gateway"))) {
    if (floor?.ns50 && r.ns50) {
      const ratio = r.ns50.rps / floor.ns50.rps;
      verdicts.push({
        check: `${r.target}: RPS c=50 ≥ 0.9× floor`,
        value: `${ratio.toFixed(2)}× (${num(r.ns50.rps)} vs ${num(floor.ns50.rps)})`,
        pass: ratio >= 0.9,
      });
    }
    if (floor?.st50 && r.st50) {
      const ratio = r.st50.rps / floor.st50.rps;
      verdicts.push({
        check: `${r.target}: stream RPS c=50 ≥ 0.9× floor`,
        value: `${ratio.toFixed(2)}× (${num(r.st50.rps)} vs ${num(floor.st50.rps)})`,
        pass: ratio >= 0.9,
      });
    }
    if (floor?.ns50?.cpuMsPerRequest && r.ns50?.cpuMsPerRequest) {
      // The same ratio on CPU time: what one core could serve, whatever else the machine ran.
      const ratio = floor.ns50.cpuMsPerRequest / r.ns50.cpuMsPerRequest;
      verdicts.push({
        check: `${r.target}: capacity ≥ 0.9× floor (CPU per request)`,
        value: `${ratio.toFixed(2)}× (${num(1000 * r.ns50.cpuMsPerRequest)} vs ${num(1000 * floor.ns50.cpuMsPerRequest)} µs)`,
        pass: ratio >= 0.9,
      });
    }
    const bare = rows.find((x) => x.target === besideName(r.target)) ?? rows.find((x) => x.target === "bare proxy");
    for (const [name, mine, bares] of [
      ["non-stream", r.ns50?.cpuMsPerRequest, bare?.ns50?.cpuMsPerRequest],
      ["stream", r.st50?.cpuMsPerRequest, bare?.st50?.cpuMsPerRequest],
    ] as const) {
      // Issue 22's target: every check on, within 2.5× what a bare proxy spends on the same request.
      if (!mine || !bares) continue;
      const ratio = mine / bares;
      verdicts.push({
        check: `${r.target}: CPU per request c=50, ${name}, ≤ 2.5× the bare proxy's (${bare!.target === "bare proxy" ? "reference phase" : "in turns"})`,
        value: `${ratio.toFixed(2)}× (${num(1000 * mine)} vs ${num(1000 * bares)} µs)`,
        pass: ratio <= 2.5,
      });
    }
    if (floor?.ns1 && r.ns1) {
      const d = r.ns1.p50 - floor.ns1.p50;
      verdicts.push({ check: `${r.target}: added p50 c=1 ≤ floor's + 0.3 ms`, value: `${signed(d)} ms`, pass: d <= 0.3 });
    }
    if (floor?.ttfb && r.ttfb) {
      const d = r.ttfb.p50 - floor.ttfb.p50;
      verdicts.push({ check: `${r.target}: stream TTFB ≤ floor's + 0.5 ms`, value: `${signed(d)} ms`, pass: d <= 0.5 });
    }
    const validCpu = r.unknown?.valid.cpuMsPerRequest;
    const unknownCpu = r.unknown?.oneClient.cpuMsPerRequest;
    if (r.unknown && validCpu !== undefined && unknownCpu !== undefined) {
      const { oneClient, valid } = r.unknown;
      const refused = oneClient.statuses["429"] ?? 0;
      // The valid key comes from the same client, blocked for its made-up keys: it must still be served.
      const validRefused = valid.requests - (valid.statuses["200"] ?? 0);
      verdicts.push({
        check: `${r.target}: unknown keys from one client cost ≤ a valid key (CPU per request), refused with 429; its valid key served`,
        value: `${num(1000 * unknownCpu)} vs ${num(1000 * validCpu)} µs, ${refused} of ${oneClient.requests} refused with 429, valid key ${validRefused} refused`,
        pass: unknownCpu <= validCpu && refused >= oneClient.requests - UNKNOWN_KEY_POINTS_SEEN && validRefused === 0,
      });
      // Each client within its limit: refused with 401, and (past the process's budget of reads of
      // keys no key is known to have) with 503 without a database read. Against the valid key sent
      // from as many clients.
      const manyCpu = r.unknown.manyClients.cpuMsPerRequest;
      const validManyCpu = r.unknown.validManyClients.cpuMsPerRequest;
      if (manyCpu !== undefined && validManyCpu !== undefined)
        verdicts.push({
          check: `${r.target}: unknown keys from many clients cost ≤ a valid key from as many (CPU per request)`,
          value: `${num(1000 * manyCpu)} vs ${num(1000 * validManyCpu)} µs`,
          pass: manyCpu <= validManyCpu,
        });
    }
    if (r.hold && STREAMS <= 1000 && r.target === "gateway (PG)") {
      // Issue 6's targets, for its 1,000 streams.
      const h = r.hold;
      verdicts.push({
        check: `${r.target}: ${STREAMS} slow streams, no error`,
        value: `${h.completed} ok, ${h.errors} errors`,
        pass: h.errors === 0 && h.completed === STREAMS,
      });
      verdicts.push({ check: `${r.target}: all ${STREAMS} streaming at once`, value: `peak ${h.peakStreaming}`, pass: h.peakStreaming >= STREAMS });
      verdicts.push({ check: `${r.target}: RSS ≤ 500 MB while held`, value: `${num(h.peakRssMb)} MB`, pass: h.peakRssMb <= 500 });
    }
    const bareHold = rows.find((x) => x.target === "bare proxy")?.hold;
    if (r.hold && bareHold) {
      // Issue 22's targets: a burst of streams opened within a second, next to the bare proxy.
      const h = r.hold;
      verdicts.push({
        check: `${r.target}: ${STREAMS} streams opened within 1 s, no error of its own`,
        value: `${ownErrors(h)} of its own${h.errorKinds.length ? ` [${h.errorKinds.join("; ")}]` : ""}, bare proxy ${bareHold.errors}${fileLimitNote ? ` (${fileLimitNote})` : ""}`,
        pass: ownErrors(h) === 0,
      });
      verdicts.push({ check: `${r.target}: peak RSS ≤ 1 GB with ${STREAMS} held`, value: `${num(h.peakRssMb)} MB`, pass: h.peakRssMb <= 1024 });
      const mine = growthKbPerStream(h);
      const bares = growthKbPerStream(bareHold);
      verdicts.push({
        check: `${r.target}: RSS growth per stream ≤ 2× the bare proxy's`,
        value: `${(mine / Math.max(bares, 1e-9)).toFixed(2)}× (${num(mine)} vs ${num(bares)} KB)`,
        pass: mine <= 2 * bares,
      });
    }
  }
  if (verdicts.length) {
    process.stdout.write(`\n## Targets\n\n`);
    printTable(
      ["check", "measured", "verdict"],
      verdicts.map((v) => [v.check, v.value, v.pass ? "PASS" : "FAIL"]),
    );
  }
  return verdicts;
}

// ---------------------------------------------------------------------------------------------

async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const name = `gatehouse_bench_${Date.now().toString(36)}_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
  } catch (err) {
    say(`PostgreSQL at ${new URL(ADMIN_DATABASE_URL).host} not usable (${(err as Error).message}): the PostgreSQL gateway is skipped`);
    return null;
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => dropDatabase(ADMIN_DATABASE_URL, name),
  };
}

async function main(): Promise<number> {
  pinSelf(CLIENT_CORE);
  const load = loadavg();
  say(`Gatehouse bench${QUICK ? " (quick)" : ""}: ${pinningNote()}; load average ${load.map((l) => l.toFixed(2)).join(" ")}`);
  if ((load[0] ?? 0) > 0.5) say("  note: the machine is not idle; figures will be noisier than usual");
  if (PHASES.has("hold")) {
    // A held stream is a socket in the client, two in the server or the bare proxy (the client's
    // and the upstream's) and one in the mock: the server needs twice the streams, plus its own.
    // Over HTTP/2 a hundred streams share an upstream socket: the server needs about one a stream.
    const http1Needed = 2 * STREAMS + 2048;
    const http2Needed = STREAMS + Math.ceil(STREAMS / 100) + 2048;
    let needed = upstreamHttp2 ? http2Needed : http1Needed;
    let limit = ensureFileLimit(needed);
    if (limit.shortBy && !upstreamHttp2 && !ensureFileLimit(http2Needed).shortBy) {
      say(
        `  open-file limit ${fileLimit().hard} < ${http1Needed} needed for ${STREAMS} streams with an upstream socket each: ` +
          `the gateway (UPSTREAM_HTTP2=on) and the bare proxy call the upstream over HTTP/2 in this run, ${http2Needed} files`,
      );
      upstreamHttp2 = true;
      needed = http2Needed;
      limit = ensureFileLimit(needed);
    }
    fileLimitNote = limit.shortBy ? `open-file limit ${limit.limit} < ${needed} needed` : "";
    if (limit.raisedFrom !== undefined) say(`  open-file limit raised from ${limit.raisedFrom} to ${limit.limit} for ${STREAMS} held streams`);
    if (limit.shortBy) say(`  WARNING: --streams ${STREAMS} ${limit.shortBy}`);
  }

  const tmp = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
  cleanups.push({ name: "temp dir", run: () => rmSync(tmp, { recursive: true, force: true }) });
  const logDir = join(tmp, "logs");
  mkdirSync(logDir);
  if (flags.profile !== undefined && !["gateway", "gateway-pglite", "floor"].includes(flags.profile))
    throw new Error("--profile takes gateway, gateway-pglite or floor");
  const cpuProfDir = flags.profile ? mkdtempSync(join(tmpdir(), `gatehouse-bench-profile-${flags.profile}-`)) : undefined;

  const rows: Row[] = [];
  try {
    const [mockPort, slowPort, barePort] = await Promise.all([freePort(), freePort(), freePort()]);
    const [mock, slow] = await Promise.all([startMock("mock", mockPort, logDir), startMock("mock-slow", slowPort, logDir, SLOW_CHUNK_DELAY_MS)]);
    const startBare = async (): Promise<Proc> => {
      const proc = spawnPinned(
        "bare-proxy",
        SERVER_CORE,
        [...NODE_TS, "bench/bare-proxy.ts", "--port", String(barePort), "--upstream", mock.url, ...(upstreamHttp2 ? ["--http2"] : [])],
        { env: baseEnv(), logFile: join(logDir, "bare-proxy.log") },
      );
      await waitForOutput(proc, /listening (http:\/\/\S+)/, 30_000);
      return proc;
    };
    let bare = await startBare();
    cleanups.push({ name: "bare-proxy", run: () => stopProc(bare, 5000) });
    say(`mock ${mock.url}, slow mock ${slow.url} (${SLOW_CHUNK_DELAY_MS} ms between chunks), bare proxy http://127.0.0.1:${barePort}`);
    if (upstreamHttp2) say("upstream calls of the gateway and the bare proxy over HTTP/2 (h2c)");

    const database = flags["no-postgres"] ? null : await createDatabase();
    if (database) cleanups.push({ name: "database", run: database.drop });

    const upstreamAuth = { authorization: "Bearer bench-upstream-key" };
    const direct: Target = { name: "direct", url: `${mock.url}/v1/chat/completions`, headers: upstreamAuth };
    const bareTarget: Target = { name: "bare proxy", url: `http://127.0.0.1:${barePort}/v1/chat/completions`, headers: upstreamAuth };

    if (cpuProfDir) {
      const engine = flags.profile === "gateway-pglite" ? "PGlite" : "PG";
      if (engine === "PG" && !database) throw new Error(`--profile ${flags.profile} needs PostgreSQL`);
      say(`profiling the ${flags.profile === "floor" ? "floor" : "gateway"} on ${engine === "PG" ? "PostgreSQL" : "PGlite"}`);
      const server = await startServer(engine, {
        databaseUrl: engine === "PG" ? database!.url : undefined,
        dataDir: join(tmp, engine === "PG" ? "data-pg" : "data-pglite"),
        logDir,
        mockUrl: mock.url,
        slowMockUrl: slow.url,
        cpuProfDir,
      });
      const target: Target = flags.profile === "floor" ? { name: "floor", url: `${server.url}/bench-floor`, headers: {} } : gatewayTarget(server, engine);
      await checkTarget(target);
      // `--phases unknown`: the unknown-keys phase (valid, one client's and many clients' made-up keys) instead.
      if (flags.phases === "unknown") await measureUnknownKeys(server, engine, { target: target.name });
      // `--phases hold`: the burst of held streams instead (`--streams N`), through the gateway's slow channel.
      else if (flags.phases === "hold" && flags.profile !== "floor") await measureHold({ target: target.name }, target, server.proc, SLOW_BODY(SLOW_MODEL));
      else
        for (const [mode, body] of [
          ["non-stream", NON_STREAM_BODY],
          ["stream", STREAM_BODY],
        ] as const) {
          const r = await loadTest(target, body, 50, SECONDS);
          say(`  ${target.name} ${mode} c=50 ${r.rps.toFixed(0)} rps p99 ${ms(r.p99)}${r.errors ? `  ERRORS ${r.errors}` : ""}`);
        }
      await stopProc(server.proc, 20_000);
      process.stdout.write(`\nCPU profile: ${cpuProfDir}\nSummary:    node --import tsx bench/profile-summary.ts ${cpuProfDir}/*.cpuprofile\n`);
      return 0;
    }

    if (PHASES.has("ref")) {
      say("direct and bare proxy");
      const directRow: Row = { target: "direct" };
      const bareRow: Row = { target: "bare proxy", idleRssMb: rssMb([bare.pid]) };
      rows.push(directRow, bareRow);
      await measureLoad([{ row: directRow, target: direct }]);
      await measureLoad([{ row: bareRow, target: bareTarget, proc: bare }]);
      await measureTtfb([
        { row: directRow, target: direct },
        { row: bareRow, target: bareTarget },
      ]);
    }

    if (PHASES.has("hold")) {
      // The bare proxy holds the same streams first (through the main mock, paced by the header it
      // passes on): the gateway's figures are read as ratios to these.
      let bareRow = rows.find((r) => r.target === "bare proxy");
      if (!bareRow) {
        bareRow = { target: "bare proxy", idleRssMb: rssMb([bare.pid]) };
        rows.push(bareRow);
      } else {
        // It served the reference load: a new process, warmed as the gateway is after its restart
        // (restartServer), so both grow from a clean start. Left as it was, its heap had grown under
        // thousands of requests a second to where 1,000 streams fit in with little more. The
        // gateways' load rounds that follow meet this process, after their own warm-up.
        say("restarting the bare proxy for the slow streams (RSS from a clean start, as the gateway's)");
        await stopProc(bare, 5000);
        bare = await startBare();
        await warmBriefly([bareTarget]);
      }
      await measureHold(bareRow, bareTarget, bare, SLOW_BODY(MODEL), { "x-mock-chunk-delay-ms": String(SLOW_CHUNK_DELAY_MS) });
    }

    if (database) {
      say(`starting Gatehouse on PostgreSQL (${new URL(database.url).pathname.slice(1)})`);
      const server = await startServer("PG", { databaseUrl: database.url, dataDir: join(tmp, "data-pg"), logDir, mockUrl: mock.url, slowMockUrl: slow.url });
      say(`  ready at ${server.url}, RSS ${server.idleRssMb.toFixed(0)} MB`);
      const floor: Target = { name: "floor", url: `${server.url}/bench-floor`, headers: {} };
      const gateway = gatewayTarget(server, "PG");
      const floorRow: Row = { target: "floor", idleRssMb: server.idleRssMb };
      const gwRow: Row = { target: "gateway (PG)", idleRssMb: server.idleRssMb };
      rows.push(floorRow, gwRow);
      const pair: Subject[] = [
        { row: floorRow, target: floor, proc: server.proc },
        { row: gwRow, target: gateway, proc: server.proc, server },
      ];
      await measureLoad([...pair, bareInTurns(rows, bare, bareTarget, gwRow.target)]);
      await measureTtfb(pair);
      await measureTranslatedStream(gateway, gwRow);
      await measureUnknownKeys(server, "PG", gwRow);
      let last = server;
      if (PHASES.has("hold")) {
        say("restarting the PostgreSQL server for the slow streams (RSS from a clean start)");
        last = await restartServer(server, "PG", logDir, floor.url);
        // The gateway first: RSS only grows, and its figure is the one with a target.
        await measureHold(gwRow, gateway, last.proc, SLOW_BODY(SLOW_MODEL));
        // The floor after it, in the same process, up to issue 6's scale: at a burst of many
        // thousands its figures say more about Next than about us, and it doubles the phase.
        if (STREAMS <= 2000) await measureHold(floorRow, floor, last.proc, SLOW_BODY(MODEL), { "x-mock-chunk-delay-ms": String(SLOW_CHUNK_DELAY_MS) });
        else say(`  floor: not held at ${STREAMS} streams (only up to 2000)`);
      }
      say("stopping the PostgreSQL server");
      await stopProc(last.proc, 20_000);
    }

    if (!flags["no-pglite"]) {
      say("starting Gatehouse on PGlite (fresh data directory)");
      const server = await startServer("PGlite", { dataDir: join(tmp, "data-pglite"), logDir, mockUrl: mock.url, slowMockUrl: slow.url });
      say(`  ready at ${server.url}, RSS ${server.idleRssMb.toFixed(0)} MB`);
      const gateway = gatewayTarget(server, "PGlite");
      const row: Row = { target: "gateway (PGlite)", idleRssMb: server.idleRssMb };
      rows.push(row);
      await measureLoad([{ row, target: gateway, proc: server.proc, server }, bareInTurns(rows, bare, bareTarget, row.target)]);
      await measureTtfb([{ row, target: gateway }]);
      await measureUnknownKeys(server, "PGlite", row);
      let last = server;
      if (PHASES.has("hold")) {
        say("restarting the PGlite server for the slow streams");
        last = await restartServer(server, "PGlite", logDir, `${server.url}/bench-floor`);
        await measureHold(row, gateway, last.proc, SLOW_BODY(SLOW_MODEL));
      }
      say("stopping the PGlite server");
      await stopProc(last.proc, 20_000);
    }
  } catch (err) {
    process.stderr.write(`\nbench failed: ${(err as Error).stack ?? String(err)}\n`);
    if (rows.length) report(rows);
    return 1;
  } finally {
    say("cleaning up");
    await cleanup();
  }

  const { verdicts } = report(rows);
  if (flags.json)
    writeFileSync(
      flags.json,
      JSON.stringify(
        { date: new Date().toISOString(), quick: QUICK, seconds: SECONDS, rounds: ROUNDS, streams: STREAMS, upstreamHttp2, rows, verdicts },
        (k, v: unknown) => (k === "latencies" ? undefined : v),
        2,
      ),
    );
  process.stdout.write(
    `\nDone in ${elapsed().trim()} (load average now ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}).\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    await cleanup();
    process.exit(1);
  },
);
