import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { announcedDeadlineMs, createLoadKey, expectAllBilled, loadThenSignal, type QueryRows } from "./fixtures/billed-load";
import { startDrainingReader, startStalledReader, type OutputReader } from "./fixtures/output-reader";
import { createPostgresDatabase, startServerProcess, type ServerProcess } from "./fixtures/server-process";

// Every way a server is usually stopped ends with an exit in bounded time and nothing unbilled:
// SIGTERM and SIGHUP (a closed terminal), also when whatever read its stdout has gone away or
// stopped reading, on the embedded database and on PostgreSQL. Each test starts its own server
// (the build is already there from the main test server).

const SPILL_FILE = "spilled-output.log";
// Info lines are what fills a stalled pipe, and the "shutting down" line announces the deadline.
const ENV = { LOG_LEVEL: "info", SHUTDOWN_DRAIN_MS: "5000" };

type Reader = "gone" | "stalled";

/** A server whose stdout goes to a reader that is then killed ("gone") or never reads ("stalled"). */
async function startWithReader(reader: Reader, env: Record<string, string>): Promise<{ server: ServerProcess; reader: OutputReader }> {
  const out = reader === "gone" ? startDrainingReader() : startStalledReader();
  const server = await startServerProcess({ ...ENV, ...env }, { stdout: out.stdin });
  if (reader === "gone") await out.kill();
  else await (out as ReturnType<typeof startStalledReader>).fill();
  return { server, reader: out };
}

function spilled(server: ServerProcess): string {
  const file = join(server.dataDir, SPILL_FILE);
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

async function withPglite<T>(dataDir: string, fn: (query: QueryRows) => Promise<T>): Promise<T> {
  const db = new PGlite(join(dataDir, "pgdata"));
  try {
    return await fn(async (sql) => (await db.query<Record<string, unknown>>(sql)).rows);
  } finally {
    await db.close();
  }
}

const cases: { engine: "pglite" | "postgres"; reader: Reader; signal: NodeJS.Signals }[] = [
  { engine: "pglite", reader: "gone", signal: "SIGTERM" },
  { engine: "pglite", reader: "stalled", signal: "SIGHUP" },
  { engine: "postgres", reader: "stalled", signal: "SIGTERM" },
  { engine: "postgres", reader: "gone", signal: "SIGHUP" },
];

for (const { engine, reader, signal } of cases) {
  test(`${engine}: ${signal} with stdout's reader ${reader === "gone" ? "gone" : "no longer reading"} exits in time and bills every answer`, async () => {
    test.setTimeout(180_000);
    const db = engine === "postgres" ? await createPostgresDatabase("gatehouse_signals") : undefined;
    const { server, reader: out } = await startWithReader(reader, db ? { DATABASE_URL: db.url } : {});
    try {
      const load = await loadThenSignal(server, signal);
      const spill = spilled(server);
      const deadlineMs = announcedDeadlineMs(spill);
      console.log(`${engine} ${reader} ${signal}: exit ${load.exitCode} after ${load.exitAfterMs} ms (deadline ${deadlineMs} ms)`);
      expect(load.exitCode, server.output()).toBe(0);
      expect(load.exitAfterMs).toBeLessThan(deadlineMs);
      // Nothing was stuck: well within the drain timeout, not just the deadline.
      expect(load.exitAfterMs).toBeLessThan(Number(ENV.SHUTDOWN_DRAIN_MS));
      // The lines stdout could not take are in the data directory, the last ones included.
      expect(spill).toContain('"msg":"shutdown complete"');
      if (db) {
        await expectAllBilled((sql) => db.query(sql), load.answered);
      } else {
        // The lock is released, so the next start (here: the check) can open the database.
        expect(existsSync(join(server.dataDir, "gatehouse.pid"))).toBe(false);
        await withPglite(server.dataDir, (query) => expectAllBilled(query, load.answered));
      }
    } finally {
      await server.stop("SIGKILL");
      await out.kill();
      await db?.drop();
    }
  });
}

test("a flush hook that cannot finish: the process still exits by its deadline, with a non-zero code", async () => {
  test.setTimeout(180_000);
  const db = await createPostgresDatabase("gatehouse_stuck_hook");
  const server = await startServerProcess({ ...ENV, DATABASE_URL: db.url });
  // Another session holds request_logs, so the usage writer's flush (and with it the database's
  // close, which waits for that connection) cannot finish: hooks that never resolve.
  const blocker = new pg.Client({ connectionString: db.url });
  let next: ServerProcess | undefined;
  try {
    const key = await createLoadKey(server);
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE request_logs IN ACCESS EXCLUSIVE MODE");
    const load = await loadThenSignal(server, "SIGTERM", { key });
    const deadlineMs = announcedDeadlineMs(server.output());
    console.log(`stuck hook: exit ${load.exitCode} after ${load.exitAfterMs} ms (deadline ${deadlineMs} ms)`);
    expect(load.exitCode).not.toBe(0);
    expect(load.exitCode).not.toBeNull();
    expect(load.exitAfterMs).toBeLessThan(deadlineMs);
    // The usage writer gives up writing after its own 10 s and saves the records for the next
    // start; the database's close, waiting for the blocked connection, times out.
    expect(server.output()).toMatch(/"msg":"could not write usage before shutdown; saved it for the next start"/);
    expect(server.output()).toMatch(/"hook":"database".*"msg":"shutdown hook timed out"/);
    // Once the table is free, the next start on the same data directory writes every answered
    // request, billed once.
    await blocker.end();
    next = await startServerProcess({ ...ENV, DATABASE_URL: db.url, GATEHOUSE_DATA_DIR: server.dataDir });
    await expectAllBilled((sql) => db.query(sql), load.answered);
  } finally {
    await blocker.end().catch(() => {});
    await next?.stop("SIGKILL");
    await server.stop("SIGKILL");
    await db.drop();
  }
});

test("pglite: the lock of a killed server is recognised as stale at the next start", async () => {
  test.setTimeout(180_000);
  const killed = await startServerProcess({});
  const lockFile = join(killed.dataDir, "gatehouse.pid");
  let next: ServerProcess | undefined;
  try {
    killed.process.kill("SIGKILL");
    await killed.exited;
    expect(readFileSync(lockFile, "utf8")).toBe(String(killed.process.pid));
    next = await startServerProcess({ GATEHOUSE_DATA_DIR: killed.dataDir });
    const notices = next
      .output()
      .split("\n")
      .filter((line) => line.includes("stale lock"));
    expect(notices).toEqual([
      `Removed the stale lock ${lockFile}, left by process ${killed.process.pid}, which is no longer running; a killed process leaves it behind.`,
    ]);
    expect(readFileSync(lockFile, "utf8")).toBe(String(next.process.pid));
  } finally {
    await next?.stop();
    await killed.stop("SIGKILL");
  }
});
