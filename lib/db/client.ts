import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "@/build/generated/prisma/client";
import type { DatabaseConfig } from "@/lib/config";
import { getConfig } from "@/lib/config";
import { logger } from "@/lib/server/logger";
import { lockDataDir } from "./pglite-lock";
import { processSingleton } from "@/lib/server/process-singleton";

// One database handle per process. The custom server (its own bundle) and Next's bundled route code
// live in the same process but load separate copies of this module, so the handle is kept on
// globalThis under a registered symbol: whoever opens it first, both then share it. PGlite in
// particular must be opened once: a second instance on the same directory would corrupt it.

/** One statement on the driver itself: parameters by position, rows and the affected count back. */
export type SqlQuery = (text: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;

export interface Database {
  prisma: Prisma;
  /**
   * Runs statements in one transaction on the driver directly, without Prisma. For the metering
   * batch: its one large JSON parameter would otherwise be copied through Prisma's query compiler
   * on every flush, on the CPU that serves the gateway. Everything else goes through `prisma`.
   */
  transaction<T>(fn: (query: SqlQuery) => Promise<T>): Promise<T>;
  /**
   * A connection for the schema engine. On PostgreSQL it is a pool of its own, ended by
   * `dispose()`: the engine holds a session-level advisory lock that it does not release, and
   * ending the session is what frees it for the next migration run.
   */
  migrationTarget(): { factory: SqlMigrationAwareDriverAdapterFactory; dispose(): Promise<void> };
  kind: DatabaseConfig["kind"];
  close(): Promise<void>;
}

const DB = processSingleton<{ current?: Database }>("db", () => ({}));

// Secrets are never read unless a query asks for them by name (`omit: { field: false }`).
const omit = {
  apiKey: { revealCiphertext: true },
  upstreamChannel: { apiKeyCiphertext: true },
} as const;

// Interactive transactions may wait and run longer than Prisma's defaults (2 s to start, 5 s in
// all): the embedded database serves every query on one connection, so a transaction can queue
// behind others, and on two busy cores a short order creation has taken 7 s. The limits stay as
// a guard against a transaction that never ends.
const transactionOptions = { maxWait: 10_000, timeout: 20_000 } as const;

function createPrisma(adapter: SqlMigrationAwareDriverAdapterFactory) {
  return new PrismaClient({ adapter, omit, transactionOptions });
}

/** The Prisma client type of this app (secret columns omitted unless selected by name). */
export type Prisma = ReturnType<typeof createPrisma>;

/**
 * A pool whose idle connections may be closed by the server (a restart, a failover, an admin's
 * kill, a dropped test database) without taking the process down: pg emits that as an 'error' on
 * the pool, which throws when nobody listens. Prisma listens only while it is connected. The pool
 * has already dropped the connection; the next query opens a new one.
 */
function withErrorListener(pool: pg.Pool): pg.Pool {
  pool.on("error", (err) => logger.warn({ err: err.message }, "the database closed an idle connection"));
  return pool;
}

/** Opens a database from an explicit config: the server, the CLI and tests use it directly. */
export function openDatabase(config: DatabaseConfig): Database {
  if (config.kind === "postgres") {
    // One pool for Prisma and the raw transactions.
    const pool = withErrorListener(new pg.Pool({ connectionString: config.url, max: 10 }));
    const prisma = createPrisma(new PrismaPg(pool));
    return {
      prisma,
      kind: "postgres",
      async transaction(fn) {
        const client = await pool.connect();
        // A client checked out of the pool has none of the pool's listeners: a server that closes
        // the connection between two queries (a restart, an administrator's terminate) would emit
        // an 'error' nobody handles, and that ends the process. Here it is noted instead: the query
        // in progress or the next one fails, and the broken connection is destroyed, not pooled.
        let broken: Error | undefined;
        const onError = (err: Error) => (broken = err);
        client.on("error", onError);
        try {
          await client.query("BEGIN");
          const result = await fn(async (text, params) => {
            const r = await client.query(text, params);
            return { rows: r.rows as Record<string, unknown>[], rowCount: r.rowCount ?? 0 };
          });
          await client.query("COMMIT");
          return result;
        } catch (err) {
          if (!broken) await client.query("ROLLBACK").catch((rollbackErr: Error) => (broken = rollbackErr));
          throw err;
        } finally {
          client.off("error", onError);
          client.release(broken);
        }
      },
      migrationTarget() {
        const migrationPool = withErrorListener(new pg.Pool({ connectionString: config.url, max: 2 }));
        return { factory: new PrismaPg(migrationPool), dispose: () => migrationPool.end() };
      },
      async close() {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }
  const release = lockDataDir(config.dataDir);
  const pglite = new PGlite({ dataDir: join(config.dataDir, "pgdata") });
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = createPrisma(adapterFactory);
  return {
    prisma,
    kind: "pglite",
    transaction: (fn) =>
      pglite.transaction((tx) =>
        fn(async (text, params) => {
          const r = await tx.query<Record<string, unknown>>(text, params);
          return { rows: r.rows, rowCount: r.affectedRows ?? 0 };
        }),
      ),
    // PGlite is one session: the engine shares it (its advisory lock is re-entrant there).
    migrationTarget: () => ({ factory: adapterFactory, dispose: async () => {} }),
    async close() {
      await prisma.$disconnect();
      await pglite.close();
      release();
    },
  };
}

/** The process's database, opened on first use (never at import, so `next build` opens nothing). */
export function getDatabase(): Database {
  DB.current ??= openDatabase(getConfig().database);
  return DB.current;
}

export function getDb(): Prisma {
  return getDatabase().prisma;
}

/** Installs a database opened elsewhere (tests) as the process's database. */
export function setDatabase(db: Database | undefined): void {
  DB.current = db;
}

export async function closeDatabase(): Promise<void> {
  const db = DB.current;
  delete DB.current;
  await db?.close();
}
