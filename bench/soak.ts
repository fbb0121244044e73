/**
 * npm run soak [-- --instances 3] [-- --duration 180] [-- --concurrency 16] [-- --kill-at 0.5]
 *              [-- --workdir DIR] [-- --json out.json]
 *
 * Several Gatehouse instances, each a clone of this repository's HEAD built by its own `npm start`
 * (as an operator sets them up, README "Running several instances"), on one fresh PostgreSQL
 * database and the local Redis, behind a real HAProxy configured like deploy/haproxy/gatehouse.cfg
 * (round robin, no stickiness, readiness checks). Mixed traffic for `--duration` seconds: streams
 * and non-streams, keys at their order balance, their own spend limit and their rate limit, one key
 * rotated part way; with more than one instance, the last one is killed with SIGKILL part way
 * and started again 5 s later on the same data directory (what systemd's Restart=on-failure does).
 * Then the ledger, the request log and the answers are compared. Loopback only, bounded in time;
 * every process, clone and database it made is removed at the end (`--workdir` keeps the clones
 * and their builds for the next run). Exits 1 when a check fails. See bench/README.md.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import pg from "pg";
import { Agent, fetch as undiciFetch } from "undici";
import { baseEnv, cleanupRegistry, dropDatabase, NODE_TS, processTree, ROOT, rssMb, sleep, spawnPinned, stopProc, tail, type Proc } from "./processes";
import { freePort } from "@/test/free-port";

const exec = promisify(execFile);

const { values: flags } = parseArgs({
  options: {
    instances: { type: "string", default: "1" },
    duration: { type: "string", default: "180" },
    concurrency: { type: "string", default: "16" },
    "kill-at": { type: "string", default: "0.5" },
    workdir: { type: "string" },
    json: { type: "string" },
  },
});

const INSTANCES = Math.max(1, Math.floor(Number(flags.instances)));
const DURATION_MS = Math.max(20, Number(flags.duration)) * 1000;
const CONCURRENCY = Math.max(1, Math.floor(Number(flags.concurrency)));
const KILL_AT = Math.min(0.9, Math.max(0.1, Number(flags["kill-at"])));
const ROTATE_AT = 0.4;
const SAMPLE_MS = Math.max(5_000, Math.round(DURATION_MS / 12));
const START_TIMEOUT_MS = 20 * 60_000;
const ADMIN_DATABASE_URL = process.env.SOAK_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.SOAK_REDIS_URL ?? "redis://127.0.0.1:6379";
/** 4 input and 10 output tokens from the mock: 5 micro-dollars at 1× (e2e/fixtures/limits-load.ts). */
const MODEL = "gpt-4.1-nano";
const COST_MICROS = 5;
/** The rate-limited key's requests per minute. */
const RATE_RPM = 60;

const started = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

const { cleanups, cleanup } = cleanupRegistry("soak");

// ---------------------------------------------------------------------------------------------
// Set-up: database, mock upstream, clones, instances, balancer.

async function createDatabase(): Promise<{ url: string; query: <T>(sql: string, params?: unknown[]) => Promise<T[]> }> {
  const name = `gatehouse_soak_${Date.now().toString(36)}_${randomBytes(2).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  cleanups.push({
    name: "database",
    run: () => dropDatabase(ADMIN_DATABASE_URL, name),
  });
  return {
    url: url.toString(),
    async query<T>(sql: string, params?: unknown[]) {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A clone of HEAD in `dir` with what `npm ci` would install (hard-linked from this checkout's
 * node_modules, as e2e/instances-builds.spec.ts does: the same files in seconds) and the Prisma
 * client its postinstall generates. An existing clone of the same commit is kept (with its build).
 */
async function cloneHead(dir: string, commit: string): Promise<void> {
  if (existsSync(join(dir, ".git"))) {
    // A clone kept with --workdir: brought to HEAD as `git pull` would (its build is rebuilt by
    // npm start only if the release changed).
    await exec("git", ["-C", dir, "fetch", "--quiet", ROOT, commit]);
    await exec("git", ["-C", dir, "checkout", "--quiet", "--force", "--detach", commit]);
  } else {
    await exec("git", ["clone", "--quiet", "--no-checkout", ROOT, dir]);
    await exec("git", ["-C", dir, "checkout", "--quiet", "--detach", commit]);
    await exec("cp", ["-al", join(ROOT, "node_modules"), join(dir, "node_modules")]);
  }
  rmSync(join(dir, "build", "generated"), { recursive: true, force: true });
  mkdirSync(join(dir, "build"), { recursive: true });
  cpSync(join(ROOT, "build", "generated"), join(dir, "build", "generated"), { recursive: true });
}

interface Instance {
  name: string;
  dir: string;
  port: number;
  proc: Proc;
  pids: number[];
  killedAt?: number;
  /** Started again after the kill, on the same data directory, as systemd's Restart=on-failure does. */
  restartedAt?: number;
}

function startInstance(name: string, dir: string, port: number, env: NodeJS.ProcessEnv, logDir: string, options: { keepData?: boolean } = {}): Instance {
  const dataDir = join(dir, "data");
  if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  const proc = spawnPinned(name, null, ["scripts/start.mjs"], {
    cwd: dir,
    env: { ...env, PORT: String(port), GATEHOUSE_DATA_DIR: dataDir },
    logFile: join(logDir, `${name}.log`),
    onLine: (line) => {
      if (/^\[\d\/\d\]/.test(line)) say(`  ${name} | ${line}`);
    },
  });
  const instance: Instance = { name, dir, port, proc, pids: [proc.pid] };
  cleanups.push({ name, run: () => stopProc(proc, 15_000) });
  return instance;
}

async function untilHealthy(instance: Instance): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (instance.proc.hasExited()) throw new Error(`${instance.name} exited during start-up:\n${tail(instance.proc.output())}`);
    if (Date.now() > deadline) throw new Error(`${instance.name} did not start within ${START_TIMEOUT_MS / 60_000} minutes:\n${tail(instance.proc.output())}`);
    const res = await fetch(`http://127.0.0.1:${instance.port}/api/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
    if (res?.ok) break;
    await sleep(500);
  }
  instance.pids = processTree(instance.proc.pid);
}

/** deploy/haproxy/gatehouse.cfg with loopback addresses, and a response header naming the instance. */
function haproxyConfig(listen: number, instances: Instance[]): string {
  const servers = instances.map((i) => `    server ${i.name} 127.0.0.1:${i.port} check`).join("\n");
  const config = readFileSync(join(ROOT, "deploy/haproxy/gatehouse.cfg"), "utf8")
    .replace(/^\s*log \/dev\/log.*$/m, "")
    .replace(/^\s*log global\s*$/m, "")
    .replace(/^\s*option httplog\s*$/m, "")
    .replace("bind :8080", `bind 127.0.0.1:${listen}`)
    // Every instance starts at full weight: the soak begins once all are up.
    .replace(/slowstart \S+/, "")
    .replace(/^\s*server gate1 .*\n\s*server gate2 .*$/m, servers);
  if (config.includes("gate2 10.")) throw new Error("deploy/haproxy/gatehouse.cfg no longer has the two server lines the soak replaces");
  // For the report only: which instance answered (HAProxy's own 502/503 included).
  return config.replace("backend instances\n", "backend instances\n    http-after-response set-header x-soak-instance %s\n");
}

const haproxyBinary = () => ["/usr/sbin/haproxy", "/usr/bin/haproxy"].find((path) => spawnSync(path, ["-v"]).status === 0);

async function startHaproxy(dir: string, listen: number, instances: Instance[]): Promise<{ url: string; child: ChildProcess }> {
  const binary = haproxyBinary();
  if (!binary) throw new Error("HAProxy is not installed: apt-get install -y haproxy");
  const file = join(dir, "haproxy.cfg");
  writeFileSync(file, haproxyConfig(listen, instances));
  const check = spawnSync(binary, ["-c", "-f", file], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`haproxy -c refused the configuration:\n${check.stdout}${check.stderr}`);
  const child = spawn(binary, ["-db", "-f", file], { stdio: ["ignore", "ignore", "pipe"] });
  cleanups.push({ name: "haproxy", run: () => void child.kill("SIGKILL") });
  const url = `http://127.0.0.1:${listen}`;
  // Every instance has passed its checks (rise 2) when a round of requests reaches all of them.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const seen = new Set<string>();
    for (let i = 0; i < instances.length * 2; i++) {
      const res = await fetch(`${url}/api/ready`).catch(() => null);
      const name = res?.headers.get("x-soak-instance");
      if (res?.ok && name) seen.add(name);
    }
    if (seen.size === instances.length) return { url, child };
    if (Date.now() > deadline) throw new Error(`HAProxy did not send to every instance within 60 s (saw ${[...seen].join(", ") || "none"})`);
    await sleep(500);
  }
}

async function cli<T>(env: NodeJS.ProcessEnv, args: string[]): Promise<T> {
  const { stdout } = await exec(process.execPath, ["scripts/gatehouse.mjs", ...args, "--json"], { cwd: ROOT, env, timeout: 60_000 });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "") as T;
}

// ---------------------------------------------------------------------------------------------
// Traffic.

type KeyRole = "bulk" | "balance" | "keyLimit" | "rate" | "rotated";

interface Sent {
  role: KeyRole;
  /** For the rotated key: which of its keys was used. */
  keyVersion: "old" | "new" | null;
  stream: boolean;
  t0: number;
  t1: number;
  /** 0 when the connection failed. */
  status: number;
  code: string | null;
  requestId: string | null;
  instance: string | null;
  /** A stream that ended with `data: [DONE]`, or a non-stream answer that parsed. */
  complete: boolean;
  remaining: number | null;
  resetMs: number | null;
  /** Why the request failed before it had an answer. */
  error?: string;
}

/** Go-style durations of `x-ratelimit-reset-requests` (`59.5s`, `1m0s`, `250ms`) in ms. */
function parseDuration(text: string | null): number | null {
  if (!text) return null;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/([\d.]+)(ms|h|m|s)/g)) ms += Number(n) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as "ms"] ?? 0);
  return ms;
}

const agent = new Agent({ connections: CONCURRENCY * 2, keepAliveTimeout: 30_000 });

async function send(url: string, key: string, role: KeyRole, keyVersion: Sent["keyVersion"], stream: boolean): Promise<Sent> {
  const t0 = Date.now();
  const base = { role, keyVersion, stream, t0 };
  try {
    const res = await undiciFetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, max_tokens: 10, stream, messages: [{ role: "user", content: "hi" }] }),
      dispatcher: agent,
      signal: AbortSignal.timeout(60_000),
    });
    let body = "";
    let complete = false;
    try {
      body = await res.text();
      complete = stream && res.status === 200 ? body.trimEnd().endsWith("data: [DONE]") : body.startsWith("{");
    } catch {
      complete = false; // the body was cut
    }
    let code: string | null = null;
    if (res.status !== 200) {
      try {
        code = (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? null;
      } catch {
        code = null;
      }
    }
    const remaining = res.headers.get("x-ratelimit-remaining-requests");
    return {
      ...base,
      t1: Date.now(),
      status: res.status,
      code,
      requestId: res.headers.get("x-request-id"),
      instance: res.headers.get("x-soak-instance"),
      complete,
      remaining: remaining === null ? null : Number(remaining),
      resetMs: parseDuration(res.headers.get("x-ratelimit-reset-requests")),
    };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const error = `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ""}`;
    return { ...base, t1: Date.now(), status: 0, code: null, requestId: null, instance: null, complete: false, remaining: null, resetMs: null, error };
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// ---------------------------------------------------------------------------------------------

interface Check {
  name: string;
  value: string;
  ok: boolean;
}

async function main(): Promise<number> {
  if (!haproxyBinary()) throw new Error("HAProxy is not installed: apt-get install -y haproxy");
  const { stdout: head } = await exec("git", ["-C", ROOT, "rev-parse", "HEAD"]);
  const commit = head.trim();
  const { stdout: dirty } = await exec("git", ["-C", ROOT, "status", "--porcelain", "--untracked-files=no"]);
  say(
    `soak: ${INSTANCES} instance(s) of ${commit.slice(0, 10)}, ${DURATION_MS / 1000} s, ${CONCURRENCY} clients${INSTANCES > 1 ? `, SIGKILL at ${KILL_AT * 100}%` : ""}`,
  );
  if (dirty.trim()) say("  note: uncommitted changes in this checkout are not soaked (each instance is a clone of HEAD)");

  const work = flags.workdir ?? mkdtempSync(join(tmpdir(), "gatehouse-soak-"));
  mkdirSync(work, { recursive: true });
  if (!flags.workdir) cleanups.push({ name: "work directory", run: () => rmSync(work, { recursive: true, force: true }) });
  const logDir = mkdtempSync(join(tmpdir(), "gatehouse-soak-logs-"));
  say(`  logs in ${logDir}`);

  const db = await createDatabase();
  const mockPort = await freePort();
  // Streams come in 10 chunks 20 ms apart (about 200 ms each), so some are in flight at the kill.
  const mock = spawnPinned("mock", null, [...NODE_TS, "lib/mock-upstream/main.ts", "--port", String(mockPort), "--chunk-delay-ms", "20"], {
    env: baseEnv(),
    logFile: join(logDir, "mock.log"),
  });
  cleanups.push({ name: "mock", run: () => stopProc(mock, 5000) });

  // The same three secrets on every instance (kept with --workdir, so the builds stay current).
  const secretsFile = join(work, "secrets.json");
  const secrets = existsSync(secretsFile)
    ? (JSON.parse(readFileSync(secretsFile, "utf8")) as Record<string, string>)
    : Object.fromEntries(["AUTH_SECRET", "GATEHOUSE_SECRET", "MARKETPLACE_WEBHOOK_SECRET"].map((name) => [name, randomBytes(32).toString("base64url")]));
  writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });

  const dirs = Array.from({ length: INSTANCES }, (_, i) => join(work, `gate${i + 1}`));
  await Promise.all(dirs.map((dir) => cloneHead(dir, commit)));
  const ports = await Promise.all(dirs.map(() => freePort()));
  const balancerPort = await freePort();
  const shared: NodeJS.ProcessEnv = {
    ...baseEnv(),
    ...secrets,
    DATABASE_URL: db.url,
    REDIS_URL,
    HOST: "127.0.0.1",
    GATEHOUSE_PUBLIC_URL: `http://127.0.0.1:${balancerPort}`,
    TRUSTED_PROXIES: "127.0.0.1/32",
    MOCK_UPSTREAM: "off",
    OPENAI_API_KEY: "soak-upstream-key",
    OPENAI_BASE_URL: `http://127.0.0.1:${mockPort}/v1`,
    SEED_DEMO_DATA: "false",
    SMTP_URL: "",
    LOG_LEVEL: "warn",
  };

  // The first instance migrates and seeds the new database; the others start once it builds.
  const buildStart = Date.now();
  const instances: Instance[] = [startInstance("gate1", dirs[0]!, ports[0]!, shared, logDir)];
  for (let waited = 0; !/Building the app/.test(instances[0]!.proc.output()); waited += 250) {
    if (instances[0]!.proc.hasExited()) throw new Error(`gate1 exited during start-up:\n${tail(instances[0]!.proc.output())}`);
    if (waited > 120_000) throw new Error(`gate1 did not migrate within 2 minutes:\n${tail(instances[0]!.proc.output())}`);
    await sleep(250);
  }
  for (let i = 1; i < INSTANCES; i++) instances.push(startInstance(`gate${i + 1}`, dirs[i]!, ports[i]!, shared, logDir));
  await Promise.all(instances.map(untilHealthy));
  const builds = instances.map((i) => i.proc.output().match(/Building the app.*?(built \([^)]*\)|build is current)/s)?.[1] ?? "?");
  const buildIds = dirs.map((dir) => readFileSync(join(dir, ".next/BUILD_ID"), "utf8").trim());
  say(
    `  ${INSTANCES} instance(s) up after ${((Date.now() - buildStart) / 1000).toFixed(0)} s; builds: ${builds.join("; ")}; BUILD_ID ${[...new Set(buildIds)].join(", ")}`,
  );

  const balancer = await startHaproxy(work, balancerPort, instances);
  say(`  HAProxy on ${balancer.url} in front of ${instances.map((i) => `${i.name} :${i.port}`).join(", ")}`);

  // Keys: one without a reachable limit (most traffic), one on an order whose credit runs out, one
  // with its own spend limit, one at its rate limit, one rotated part way.
  const cliEnv = { ...shared, PORT: String(ports[0]) };
  type Created = { order: { id: string }; apiKey: { id: string; key: string } };
  await cli(cliEnv, ["plan", "add", "--name", "Soak", "--models", MODEL, "--days", "30", "--rpm", "1000000", "--credit", "1000"]);
  await cli(cliEnv, ["plan", "add", "--name", "Soak rate", "--models", MODEL, "--days", "30", "--rpm", String(RATE_RPM), "--credit", "1000"]);
  const order = (plan: string, who: string) => cli<Created>(cliEnv, ["order", "create", "--email", `soak-${who}@example.com`, "--plan", plan]);
  const bulk = await order("Soak", "bulk");
  const rate = await order("Soak rate", "rate");
  const rotated = await order("Soak", "rotated");

  // A short warm-up on the bulk key sizes the limits: each runs out part way through the soak.
  const warm = Date.now();
  const warmResults: Sent[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      while (Date.now() - warm < 5_000) warmResults.push(await send(balancer.url, bulk.apiKey.key, "bulk", null, w % 2 === 0));
    }),
  );
  const warmOk = warmResults.filter((r) => r.status === 200).length;
  if (warmOk === 0) throw new Error(`no request succeeded in the warm-up: ${JSON.stringify(warmResults.slice(0, 3))}`);
  const rps = warmOk / 5;
  const SHARES: Record<KeyRole, number> = { bulk: 0.5, balance: 0.15, keyLimit: 0.15, rate: 0.1, rotated: 0.1 };
  // Requests each limit admits: the balance runs out at about 35% of the soak, the key's limit at 65%.
  const balanceMicros = Math.max(200, Math.round(rps * SHARES.balance * (DURATION_MS / 1000) * 0.35 * COST_MICROS));
  const keyLimitMicros = Math.max(200, Math.round(rps * SHARES.keyLimit * (DURATION_MS / 1000) * 0.65 * COST_MICROS));
  const usd = (micros: number) => (micros / 1e6).toFixed(6);
  await cli(cliEnv, ["plan", "add", "--name", "Soak balance", "--models", MODEL, "--days", "30", "--rpm", "1000000", "--credit", usd(balanceMicros)]);
  const balance = await order("Soak balance", "balance");
  const keyLimit = await order("Soak", "key-limit");
  await cli(cliEnv, ["key", "limits", keyLimit.apiKey.id, "--monthly-usd", usd(keyLimitMicros)]);
  say(`  warm-up: ${rps.toFixed(0)} answers/s; order balance USD ${usd(balanceMicros)}, key limit USD ${usd(keyLimitMicros)}, rate ${RATE_RPM} rpm`);
  // Key limits reach the other instances through the cache bus: let them settle before counting.
  await sleep(1500);

  // The soak.
  const results: Sent[] = [];
  const t0 = Date.now();
  const end = t0 + DURATION_MS;
  let newRotatedKey: string | null = null;
  let rotatedAt: number | null = null;
  const victim = INSTANCES > 1 ? instances[INSTANCES - 1]! : null;
  const samples: { t: number; perInstance: Record<string, { rssMb: number; p50: number; p99: number; n: number }> }[] = [];
  let sampledUpTo = 0;

  const pick = (): KeyRole => {
    let x = Math.random();
    for (const [role, share] of Object.entries(SHARES) as [KeyRole, number][]) if ((x -= share) < 0) return role;
    return "bulk";
  };
  const keysByRole = { bulk, balance, keyLimit, rate, rotated };
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < end) {
      const role = pick();
      let key = keysByRole[role].apiKey.key;
      let version: Sent["keyVersion"] = null;
      if (role === "rotated") {
        // After the rotation, a third of this key's requests still use the old key.
        version = newRotatedKey && Math.random() > 1 / 3 ? "new" : "old";
        if (version === "new") key = newRotatedKey!;
      }
      results.push(await send(balancer.url, key, role, version, Math.random() < 0.5));
    }
  });

  const events = (async () => {
    const rotateTime = t0 + DURATION_MS * ROTATE_AT;
    const killTime = victim ? t0 + DURATION_MS * KILL_AT : Infinity;
    let rotationDone = false;
    let rotation: Promise<void> = Promise.resolve();
    let restart: Promise<void> = Promise.resolve();
    let killDone = !victim;
    let nextSample = t0 + SAMPLE_MS;
    while (Date.now() < end) {
      const now = Date.now();
      if (!rotationDone && now >= rotateTime) {
        rotationDone = true;
        // Not awaited here: the CLI takes seconds to start on a busy machine; the kill and the
        // samples keep their times.
        rotation = cli<{ apiKey: { key: string } }>(cliEnv, ["key", "rotate", rotated.apiKey.id]).then((answer) => {
          rotatedAt = Date.now();
          newRotatedKey = answer.apiKey.key;
          say(`  rotated the rotated key (no overlap) in ${((rotatedAt - now) / 1000).toFixed(1)} s`);
        });
      }
      if (!killDone && now >= killTime) {
        killDone = true;
        process.kill(-victim!.proc.pid, "SIGKILL");
        victim!.killedAt = Date.now();
        say(`  SIGKILL to ${victim!.name} (pid ${victim!.proc.pid})`);
        // deploy/systemd/gatehouse@.service restarts a unit that died (Restart=on-failure,
        // RestartSec=5) on the same data directory: the start writes what the killed process's
        // usage journal holds, and the balancer takes it back after two good checks.
        restart = sleep(5_000).then(async () => {
          const again = startInstance(victim!.name, victim!.dir, victim!.port, shared, logDir, { keepData: true });
          victim!.proc = again.proc;
          await untilHealthy(victim!);
          victim!.pids = processTree(again.proc.pid);
          victim!.restartedAt = Date.now();
          say(`  ${victim!.name} started again after the kill (${((victim!.restartedAt - victim!.killedAt!) / 1000).toFixed(1)} s)`);
        });
      }
      if (now >= nextSample) {
        while (nextSample <= now) nextSample += SAMPLE_MS;
        const window = results.filter((r) => r.t1 > sampledUpTo && r.t1 <= now);
        sampledUpTo = now;
        const perInstance: (typeof samples)[number]["perInstance"] = {};
        for (const instance of instances) {
          const latencies = window
            .filter((r) => r.instance === instance.name && r.status === 200 && !r.stream)
            .map((r) => r.t1 - r.t0)
            .sort((a, b) => a - b);
          perInstance[instance.name] = {
            rssMb: instance.proc.hasExited() || (instance.killedAt && !instance.restartedAt) ? 0 : rssMb(instance.pids),
            p50: percentile(latencies, 50),
            p99: percentile(latencies, 99),
            n: latencies.length,
          };
        }
        samples.push({ t: now - t0, perInstance });
        say(
          `  t=${((now - t0) / 1000).toFixed(0)} s: ${window.length} answers; ` +
            instances
              .map((i) => `${i.name} ${perInstance[i.name]!.n} ok, p50 ${perInstance[i.name]!.p50} ms, RSS ${perInstance[i.name]!.rssMb.toFixed(0)} MB`)
              .join("; "),
        );
      }
      await sleep(100);
    }
    await rotation;
    await restart;
  })();
  await Promise.all([...workers, events]);
  const soakEnd = Date.now();
  say(`  traffic stopped: ${results.length} requests in ${((soakEnd - t0) / 1000).toFixed(0)} s`);

  // The survivors stop as an operator stops them (SIGTERM: drain, write the queued usage).
  await sleep(1000);
  await Promise.all(instances.filter((i) => !i.proc.hasExited()).map((i) => stopProc(i.proc, 30_000)));
  balancer.child.kill("SIGKILL");

  // ---------------------------------------------------------------------------------------------
  // Checks.
  const checks: Check[] = [];
  const check = (name: string, value: string | number, ok: boolean) => checks.push({ name, value: String(value), ok });
  const killedAt = victim?.killedAt ?? Infinity;
  /** In flight on the killed instance when it died: the only requests allowed to fail. */
  const inFlightAtKill = (r: Sent) => r.t0 <= killedAt && r.t1 >= killedAt && (r.instance === null || r.instance === victim?.name);
  /**
   * Sent within a second after the kill on HAProxy's kept-alive connections to the killed
   * instance, before the balancer noticed it was gone: answered 502 naming that instance, or (a
   * failure on a reused connection under `http-reuse safe`) the client's connection closed without
   * an answer, so that the client may send it again. HAProxy's retries cover connections it could
   * not open; it rightly does not send a POST again once an instance may have acted on it (the
   * README's config keeps L7 retries to static files). Counted apart; also allowed.
   */
  const onDeadConnections = (r: Sent) =>
    r.t0 > killedAt && r.t0 - killedAt < 1000 && ((r.status === 502 && r.instance === victim?.name) || (r.status === 0 && r.instance === null));
  const answered = results.filter((r) => r.status !== 0 && r.status < 500 && r.complete);
  const failed = results.filter((r) => !(r.status !== 0 && r.status < 500 && r.complete));
  const allowed = failed.filter(inFlightAtKill);
  const deadConnections = failed.filter((r) => !inFlightAtKill(r) && onDeadConnections(r));
  const unexpected = failed.filter((r) => !inFlightAtKill(r) && !onDeadConnections(r));
  const byStatus = new Map<string, number>();
  for (const r of answered) byStatus.set(`${r.status}${r.code ? ` ${r.code}` : ""}`, (byStatus.get(`${r.status}${r.code ? ` ${r.code}` : ""}`) ?? 0) + 1);
  check("requests answered", `${answered.length} of ${results.length} (${[...byStatus].map(([k, n]) => `${k}: ${n}`).join(", ")})`, answered.length > 0);
  check(
    "errors",
    `${failed.length} (in flight on the killed instance: ${allowed.length}; sent to it by HAProxy within ${
      deadConnections.length ? Math.max(...deadConnections.map((r) => r.t0 - killedAt)) : 0
    } ms after the kill on the balancer's connections to it (502 or closed): ${deadConnections.length}; other: ${unexpected.length}${
      unexpected.length
        ? ` — ${unexpected
            .slice(0, 5)
            .map(
              (r) =>
                `${r.status} ${r.code ?? r.error ?? ""} ${r.instance ?? "?"}${r.stream ? " stream" : ""} at ${((r.t0 - t0) / 1000).toFixed(1)}–${((r.t1 - t0) / 1000).toFixed(1)} s`,
            )
            .join("; ")}`
        : ""
    })`,
    unexpected.length === 0,
  );

  // Every answered request has its request-log row (the row's id is unique), and each order's
  // debits (one per batch and UTC day, each saying how many requests it pays for) pay for exactly
  // its logged requests that cost something: as many requests, the same sum.
  const ids = answered.map((r) => r.requestId).filter((id): id is string => id !== null);
  const logged = await db.query<{ requestId: string; costMicros: string; status: number }>(
    `SELECT "requestId", "costMicros"::text AS "costMicros", status FROM request_logs WHERE "requestId" = ANY($1)`,
    [ids],
  );
  const loggedIds = new Set(logged.map((r) => r.requestId));
  const lost = answered.filter((r) => r.requestId && !loggedIds.has(r.requestId));
  const lostOnKilled = lost.filter((r) => victim && r.instance === victim.name && r.t1 <= killedAt);
  check(
    "rows lost",
    `${lost.length} of ${ids.length} answered request ids not in the request log${lostOnKilled.length ? ` (${lostOnKilled.length} answered by the killed instance in its last ${Math.max(...lostOnKilled.map((r) => killedAt - r.t1))} ms)` : ""}; ${answered.length - ids.length} answers without x-request-id`,
    lost.length === 0 && answered.length === ids.length,
  );
  const billing = await db.query<{ orderId: string; requests: string; cost: string; paidFor: string; debited: string }>(
    `SELECT coalesce(l."orderId", d."orderId") AS "orderId", coalesce(l.requests, 0)::text AS requests, coalesce(l.cost, 0)::text AS cost,
            coalesce(d.requests, 0)::text AS "paidFor", coalesce(d.debited, 0)::text AS debited
       FROM (SELECT "orderId", count(*) AS requests, sum("costMicros") AS cost FROM request_logs WHERE "costMicros" > 0 GROUP BY "orderId") l
       FULL JOIN (SELECT "orderId", sum(requests) AS requests, sum(-"amountMicros") AS debited FROM ledger_entries WHERE kind = 'DEBIT' GROUP BY "orderId") d
         ON d."orderId" = l."orderId"`,
  );
  const wrong = billing.filter((b) => b.paidFor !== b.requests || b.debited !== b.cost);
  const costlyRequests = billing.reduce((sum, b) => sum + Number(b.requests), 0);
  check(
    "billed once",
    `${costlyRequests} logged requests with a cost in ${billing.length} orders; orders whose debits do not pay for exactly their requests: ${wrong.length}` +
      (wrong.length ? ` (${wrong.map((b) => `${b.orderId}: ${b.paidFor} of ${b.requests} requests, ${b.debited} of ${b.cost} µ$`).join("; ")})` : ""),
    wrong.length === 0,
  );
  const [dead] = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM usage_dead_letters`);
  check("dead letters", dead!.n, dead!.n === "0");

  // Overspend: no order below zero, no key above its limit.
  const orders = await db.query<{ id: string; credit: string; spent: string }>(
    `SELECT o.id, coalesce(sum(l."amountMicros") FILTER (WHERE l.kind <> 'DEBIT'), 0)::text AS credit,
            coalesce(sum(-l."amountMicros") FILTER (WHERE l.kind = 'DEBIT'), 0)::text AS spent
       FROM orders o LEFT JOIN ledger_entries l ON l."orderId" = o.id GROUP BY o.id`,
  );
  const overOrders = orders.filter((o) => BigInt(o.spent) > BigInt(o.credit));
  const balanceOrder = orders.find((o) => o.id === balance.order.id)!;
  const [keySpend] = await db.query<{ spent: string }>(`SELECT coalesce(sum("costMicros"), 0)::text AS spent FROM request_logs WHERE "apiKeyId" = $1`, [
    keyLimit.apiKey.id,
  ]);
  const refusedBalance = answered.filter((r) => r.role === "balance" && r.code === "billing_shortfall").length;
  const refusedKey = answered.filter((r) => r.role === "keyLimit" && r.code === "api_key_quota_exceeded").length;
  check(
    "overspend",
    `${overOrders.length} orders over their credit; the order at its balance spent ${balanceOrder.spent} of ${balanceOrder.credit} µ$ (${refusedBalance} refused billing_shortfall); the key at its limit spent ${keySpend!.spent} of ${keyLimitMicros} µ$ (${refusedKey} refused api_key_quota_exceeded)`,
    overOrders.length === 0 && BigInt(keySpend!.spent) <= BigInt(keyLimitMicros),
  );
  check(
    "limits reached",
    `order balance: ${refusedBalance > 0 ? "yes" : "no"}; key limit: ${refusedKey > 0 ? "yes" : "no"}`,
    refusedBalance > 0 && refusedKey > 0,
  );

  // Rate limit across instances: fixed 60 s windows counted in Redis. Each admitted request's
  // `remaining` is unique within its window and no window admits more than the limit.
  const rateAnswers = answered.filter((r) => r.role === "rate" && r.status === 200 && r.remaining !== null && r.resetMs !== null);
  const windows: { end: number; remaining: number[] }[] = [];
  for (const r of rateAnswers.sort((a, b) => a.t1 - b.t1)) {
    const windowEnd = r.t1 + r.resetMs!;
    let w = windows.find((x) => Math.abs(x.end - windowEnd) < 5_000);
    if (!w) windows.push((w = { end: windowEnd, remaining: [] }));
    w.remaining.push(r.remaining!);
  }
  const overWindows = windows.filter((w) => w.remaining.length > RATE_RPM);
  const duplicated = windows.reduce((n, w) => n + (w.remaining.length - new Set(w.remaining).size), 0);
  const rateRefused = answered.filter((r) => r.role === "rate" && r.code === "rate_limit_exceeded").length;
  check(
    "rate limit across instances",
    `${windows.length} windows of ${RATE_RPM} rpm: admitted ${windows.map((w) => w.remaining.length).join(", ")}; a remaining count given twice: ${duplicated}; ${rateRefused} refused rate_limit_exceeded`,
    overWindows.length === 0 && duplicated === 0 && rateRefused > 0,
  );

  // Rotation without overlap: the old key is refused everywhere from the moment the rotation returned.
  const oldAfter = answered.filter((r) => r.role === "rotated" && r.keyVersion === "old" && rotatedAt !== null && r.t0 > rotatedAt);
  const oldAccepted = oldAfter.filter((r) => r.status === 200);
  const newOk = answered.filter((r) => r.role === "rotated" && r.keyVersion === "new" && r.status === 200).length;
  check(
    "rotation",
    `old key after the rotation: ${oldAfter.length} requests, ${oldAccepted.length} accepted, ${oldAfter.filter((r) => r.code === "api_key_replaced").length} api_key_replaced; new key: ${newOk} answered`,
    rotatedAt !== null && oldAccepted.length === 0 && newOk > 0,
  );

  // Latency and memory.
  const lat = (stream: boolean) =>
    answered
      .filter((r) => r.status === 200 && r.stream === stream)
      .map((r) => r.t1 - r.t0)
      .sort((a, b) => a - b);
  const [ns, st] = [lat(false), lat(true)];
  check(
    "latency (200s, through HAProxy)",
    `non-stream p50 ${percentile(ns, 50)} ms, p99 ${percentile(ns, 99)} ms; stream (whole) p50 ${percentile(st, 50)} ms, p99 ${percentile(st, 99)} ms`,
    true,
  );

  process.stdout.write(`\nRSS (MB) and non-stream p50/p99 (ms, through HAProxy) per instance, every ${SAMPLE_MS / 1000} s:\n`);
  process.stdout.write(`  ${"t (s)".padStart(6)}  ${instances.map((i) => i.name.padEnd(24)).join("")}\n`);
  for (const s of samples) {
    const cells = instances.map((i) => {
      const c = s.perInstance[i.name]!;
      return (c.rssMb ? `${c.rssMb.toFixed(0)} MB ${c.n ? `${c.p50}/${c.p99}` : "-"}` : "down").padEnd(24);
    });
    process.stdout.write(`  ${(s.t / 1000).toFixed(0).padStart(6)}  ${cells.join("")}\n`);
  }

  process.stdout.write(
    `\nSoak of ${commit.slice(0, 10)}: ${INSTANCES} instance(s), ${((soakEnd - t0) / 1000).toFixed(0)} s, ${CONCURRENCY} clients, HAProxy round robin${
      victim
        ? `, ${victim.name} killed (SIGKILL) at ${(((victim.killedAt ?? 0) - t0) / 1000).toFixed(0)} s${victim.restartedAt ? ` and serving again at ${((victim.restartedAt - t0) / 1000).toFixed(0)} s` : ""}`
        : ""
    }\n`,
  );
  for (const c of checks) process.stdout.write(`  ${c.ok ? "PASS" : "FAIL"}  ${c.name}: ${c.value}\n`);

  if (flags.json) writeFileSync(flags.json, JSON.stringify({ commit, instances: INSTANCES, durationMs: soakEnd - t0, builds, checks, samples }, null, 2));
  return checks.every((c) => c.ok) ? 0 : 1;
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await cleanup();
    process.exit(2);
  });
