import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "./free-port";

// A PostgreSQL server and a Redis server of a test's own, on free loopback ports, for tests that
// stop and restart them (faults). The machine's shared servers are never touched: other test runs
// and other people use them.

const exec = promisify(execFile);
/** The newest installed PostgreSQL's binaries (Debian keeps them out of PATH), or TEST_PG_BIN. */
const PG_BIN =
  process.env.TEST_PG_BIN ??
  (existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql")
        .filter((v) => existsSync(join("/usr/lib/postgresql", v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join("/usr/lib/postgresql", v, "bin"))[0]
    : undefined);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PrivatePostgres {
  /** postgresql://postgres@127.0.0.1:PORT/postgres */
  url: string;
  /** Stops the server with `pg_ctl -m fast` (open connections are terminated, as in a restart). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  remove(): Promise<void>;
}

/**
 * A new PostgreSQL cluster in a temporary directory (initdb, trust authentication, no fsync), run
 * by pg_ctl on a free port. PostgreSQL refuses to run as root, so under root it runs as `postgres`.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!PG_BIN) throw new Error("PostgreSQL's server binaries were not found (apt-get install postgresql, or set TEST_PG_BIN)");
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-private-pg-"));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = async (binary: string, args: string[]) => {
    const [command, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", join(PG_BIN!, binary), ...args]] : [join(PG_BIN!, binary), args];
    return exec(command, argv, { timeout: 60_000 });
  };
  if (asRoot) {
    const { stdout } = await exec("id", ["-u", "postgres"]);
    const { stdout: gid } = await exec("id", ["-g", "postgres"]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, "data");
  await run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = async () => {
    await run("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "30", "start"]);
  };
  const stop = async () => {
    await run("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "30", "stop"]);
  };
  await start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async remove() {
      await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis {
  url: string;
  /** Kills the server (SIGKILL: Redis gone without a goodbye); its data goes with it. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/** A redis-server of its own on a free port, without persistence. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    for (let tries = 0; ; tries++) {
      const { stdout } = await exec("redis-cli", ["-p", String(port), "ping"]).catch(() => ({ stdout: "" }));
      if (stdout.trim() === "PONG") return;
      if (tries > 100) throw new Error(`redis-server did not start on port ${port}`);
      await sleep(50);
    }
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once("exit", resolve));
    c.kill("SIGKILL");
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}

/** Rows of one query on a fresh connection (the test's own view, outside the app's pool). */
export async function queryRows<T>(url: string, sql: string, params?: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
