// Child processes of the bench: spawned pinned to a core, in their own process group (so the
// server's own children — a `next build` — go with it), output kept for readiness checks and
// error reports, and always killed by group in the end.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readdirSync, readFileSync, type WriteStream } from "node:fs";
import { cpus } from "node:os";
import pg from "pg";

export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Node flags for anything that runs project TypeScript outside Next (see scripts/node-hooks.mjs). */
export const NODE_TS = ["--import", "tsx", "--import", "./scripts/node-hooks.mjs"];

const HAS_TASKSET = (() => {
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

export const CORES = cpus().length;
/** The server and the proxies under test. */
export const SERVER_CORE = 0;
/** The load generator and the mock upstreams. */
export const CLIENT_CORE = CORES > 1 ? 1 : 0;

export function pinningNote(): string {
  if (!HAS_TASKSET) return "taskset not found: processes are NOT pinned";
  if (CORES < 2) return "one core: everything shares it";
  return `server and proxies on core ${SERVER_CORE}; load generator and mocks on core ${CLIENT_CORE}`;
}

/** Pins this process (all its threads) to a core. */
export function pinSelf(core: number): void {
  if (!HAS_TASKSET) return;
  execFileSync("taskset", ["-a", "-p", "-c", String(core), String(process.pid)], { stdio: "ignore" });
}

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Last 64 KB of stdout+stderr. */
  output(): string;
  exited: Promise<number | null>;
  hasExited(): boolean;
}

/** Spawns Node with `args` on `core` (null: on any core), in `options.cwd` (this checkout by default). */
export function spawnPinned(
  name: string,
  core: number | null,
  args: string[],
  options: { env: NodeJS.ProcessEnv; logFile: string; onLine?: (line: string) => void; cwd?: string },
): Proc {
  const pinned = HAS_TASKSET && core !== null;
  const command = pinned ? "taskset" : process.execPath;
  const argv = pinned ? ["-c", String(core), process.execPath, ...args] : args;
  const child = spawn(command, argv, { cwd: options.cwd ?? ROOT, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const log: WriteStream = createWriteStream(options.logFile, { flags: "a" });
  let buffer = "";
  let partial = "";
  const onData = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    log.write(text);
    buffer = (buffer + text).slice(-65_536);
    if (options.onLine) {
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) options.onLine(line);
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code, signal) => {
      done = true;
      log.end();
      resolve(code ?? (signal ? 128 : null));
    });
    child.once("error", (err) => {
      done = true;
      buffer += `\n[spawn error] ${err.message}`;
      log.end();
      resolve(null);
    });
  });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${command}`);
  return { name, child, pid: child.pid, output: () => buffer, exited, hasExited: () => done };
}

/** SIGTERM to the process group, then SIGKILL after `graceMs`. */
export async function stopProc(proc: Proc, graceMs = 10_000): Promise<void> {
  if (proc.hasExited()) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid, signal);
    } catch {
      try {
        process.kill(proc.pid, signal);
      } catch {
        // already gone
      }
    }
  };
  signalGroup("SIGTERM");
  const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
  if ((await Promise.race([proc.exited, timer])) === "timeout") {
    signalGroup("SIGKILL");
    await Promise.race([proc.exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }
  // Anything left in the group (a build worker) goes too.
  try {
    process.kill(-proc.pid, "SIGKILL");
  } catch {
    // the group is empty
  }
}

/** Resolves when the process prints a line matching `pattern`; rejects if it exits first. */
export async function waitForOutput(proc: Proc, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = proc.output().match(pattern);
    if (match) return match;
    if (proc.hasExited()) throw new Error(`${proc.name} exited before it was ready:\n${tail(proc.output())}`);
    await sleep(50);
  }
  throw new Error(`${proc.name} was not ready within ${Math.round(timeoutMs / 1000)} s:\n${tail(proc.output())}`);
}

export function tail(text: string, lines = 30): string {
  return text.split("\n").slice(-lines).join("\n");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The process and its descendants, found once (the server spawns none after start-up). */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid ...: comm may contain spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** Resident set size in MB of these processes (VmRSS), 0 for those gone. */
export function rssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    const path = `/proc/${pid}/status`;
    if (!existsSync(path)) continue;
    try {
      const match = readFileSync(path, "utf8").match(/^VmRSS:\s+(\d+)\s+kB/m);
      if (match?.[1]) kb += Number(match[1]);
    } catch {
      // exited meanwhile
    }
  }
  return kb / 1024;
}

/** Samples the RSS of a process tree every `everyMs` until stopped; reports the peak. */
export function sampleRss(pid: number, everyMs = 200): { stop(): { peakMb: number; lastMb: number } } {
  const pids = processTree(pid);
  let peak = rssMb(pids);
  let last = peak;
  const timer = setInterval(() => {
    last = rssMb(pids);
    if (last > peak) peak = last;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      last = rssMb(pids);
      if (last > peak) peak = last;
      return { peakMb: peak, lastMb: last };
    },
  };
}

/** CPU time (user + system, all threads) of these processes, in ms; 10 ms resolution. */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // After "(comm) ": state(0) ppid(1) ... utime(11) stime(12)
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** Time the process's main thread spent runnable but waiting for a CPU, in ms (/proc/PID/schedstat). */
export function runQueueWaitMs(pid: number): number {
  try {
    const [, wait] = readFileSync(`/proc/${pid}/schedstat`, "utf8").trim().split(/\s+/);
    return Number(wait) / 1e6;
  } catch {
    return 0;
  }
}

/** This process's open-file limit (soft, hard), from /proc (Node has no getrlimit). */
export function fileLimit(pid: number | "self" = "self"): { soft: number; hard: number } {
  const line = readFileSync(`/proc/${pid}/limits`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"));
  const [soft, hard] = (line?.match(/(\d+|unlimited)\s+(\d+|unlimited)/)?.slice(1) ?? []).map((v) => (v === "unlimited" ? Infinity : Number(v)));
  return { soft: soft ?? 1024, hard: hard ?? soft ?? 1024 };
}

/**
 * Lets every process the bench starts from now on open `needed` files, as far as allowed (they
 * inherit this process's limit): raises the soft limit with `prlimit`, and the hard one too when
 * permitted (root with CAP_SYS_RESOURCE). Says what it did, and when the limit stays short, what
 * that means and how to raise it.
 */
export function ensureFileLimit(needed: number): { raisedFrom?: number; limit: number; shortBy?: string } {
  const before = fileLimit();
  if (before.soft >= needed) return { limit: before.soft };
  let why = "";
  for (const [soft, hard] of [
    [needed, Math.max(before.hard, needed)],
    [Math.min(needed, before.hard), before.hard],
  ] as const) {
    if (soft <= before.soft) continue;
    try {
      execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${soft}:${hard}`], { stdio: "pipe" });
      break;
    } catch (err) {
      why ||= (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    }
  }
  const after = fileLimit();
  const raisedFrom = after.soft > before.soft ? before.soft : undefined;
  if (after.soft >= needed) return { raisedFrom, limit: after.soft };
  return {
    raisedFrom,
    limit: after.soft,
    shortBy:
      `needs ${needed} open files per process and may open ${after.soft} (hard limit ${after.hard}${why ? `; raising it: ${why}` : ""}). ` +
      `A process out of files resets new connections and fails upstream calls, so expect errors of that kind. ` +
      `To measure without them: \`ulimit -Hn ${needed}; ulimit -n ${needed}\` as root (or LimitNOFILE / limits.conf), or fewer --streams.`,
  };
}

/** Open files of one process (its /proc fd entries); 0 once it is gone. */
export function openFiles(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Samples a process's open files until stopped: the peak says whether it ran out. */
export function sampleOpenFiles(pid: number, everyMs = 250): { stop(): number } {
  let peak = openFiles(pid);
  const timer = setInterval(() => (peak = Math.max(peak, openFiles(pid))), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, openFiles(pid));
    },
  };
}

/**
 * The kernel's count of connections dropped because a listen queue was full (ListenOverflows)
 * or for any reason before accept (ListenDrops), for the whole network namespace: other work on
 * the machine counts too.
 */
export function listenDrops(): { overflows: number; drops: number } {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
    const names = lines.find((l) => l.startsWith("TcpExt:"))?.split(/\s+/) ?? [];
    const values = lines.filter((l) => l.startsWith("TcpExt:"))[1]?.split(/\s+/) ?? [];
    const get = (name: string) => Number(values[names.indexOf(name)] ?? 0);
    return { overflows: get("ListenOverflows"), drops: get("ListenDrops") };
  } catch {
    return { overflows: 0, drops: 0 };
  }
}

/**
 * What a bench or soak started, stopped in reverse order by `cleanup()` at its end or on SIGINT,
 * SIGTERM or SIGHUP (a failure is printed and the rest still run).
 */
export function cleanupRegistry(what: string): { cleanups: { name: string; run: () => Promise<void> | void }[]; cleanup: () => Promise<void> } {
  const cleanups: { name: string; run: () => Promise<void> | void }[] = [];
  let cleaningUp: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaningUp ??= (async () => {
      for (const c of cleanups.reverse()) {
        try {
          await c.run();
        } catch (err) {
          process.stderr.write(`cleanup ${c.name}: ${(err as Error).message}\n`);
        }
      }
    })());
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping everything the ${what} started...\n`);
      void cleanup().then(() => process.exit(130));
    });
  }
  return { cleanups, cleanup };
}

/** The environment every child gets: this one minus anything that would change the servers. */
export function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (
      /^(DATABASE_URL|REDIS_URL|GATEHOUSE_|AUTH_|MARKETPLACE_|OPENAI_|ANTHROPIC_|GEMINI_|MOCK_UPSTREAM|SMTP_|ADMIN_EMAILS|TRUSTED_PROXIES|PORT|HOST|NODE_OPTIONS|NEXT_SERVER_ACTIONS|npm_)/.test(
        name,
      )
    )
      delete env[name];
  }
  return { ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
}

/** Drops a database the bench or soak created, through the server's admin connection. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
