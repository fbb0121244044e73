import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "@/build/generated/prisma/client";
import type { DatabaseConfig } from "@/lib/config";
import { getConfig } from "@/lib/config";
import { lockDataDir } from "./pglite-lock";

// One database handle per process. The custom server (run by tsx) and Next's bundled route code
// live in the same process but load separate copies of this module, so the handle is kept on
// globalThis under a registered symbol: whoever opens it first, both then share it. PGlite in
// particular must be opened once: a second instance on the same directory would corrupt it.

export interface Database {
  prisma: Prisma;
  /**
   * A connection for the schema engine. On PostgreSQL it is a pool of its own, ended by
   * `dispose()`: the engine holds a session-level advisory lock that it does not release, and
   * ending the session is what frees it for the next migration run.
   */
  migrationTarget(): { factory: SqlMigrationAwareDriverAdapterFactory; dispose(): Promise<void> };
  kind: DatabaseConfig["kind"];
  close(): Promise<void>;
}

const DB = Symbol.for("gatehouse.db");
type WithDb = typeof globalThis & { [DB]?: Database };

// Secrets are never read unless a query asks for them by name (`omit: { field: false }`).
const omit = {
  apiKey: { revealCiphertext: true },
  upstreamChannel: { apiKeyCiphertext: true },
} as const;

function createPrisma(adapter: SqlMigrationAwareDriverAdapterFactory) {
  return new PrismaClient({ adapter, omit });
}

/** The Prisma client type of this app (secret columns omitted unless selected by name). */
export type Prisma = ReturnType<typeof createPrisma>;

/** Opens a database from an explicit config: the server, the CLI and tests use it directly. */
export function openDatabase(config: DatabaseConfig): Database {
  if (config.kind === "postgres") {
    const prisma = createPrisma(new PrismaPg({ connectionString: config.url, max: 10 }));
    return {
      prisma,
      kind: "postgres",
      migrationTarget() {
        const pool = new pg.Pool({ connectionString: config.url, max: 2 });
        return { factory: new PrismaPg(pool), dispose: () => pool.end() };
      },
      close: () => prisma.$disconnect(),
    };
  }
  const release = lockDataDir(config.dataDir);
  const pglite = new PGlite({ dataDir: join(config.dataDir, "pgdata") });
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = createPrisma(adapterFactory);
  return {
    prisma,
    kind: "pglite",
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
  const g = globalThis as WithDb;
  g[DB] ??= openDatabase(getConfig().database);
  return g[DB];
}

export function getDb(): Prisma {
  return getDatabase().prisma;
}

/** Installs a database opened elsewhere (tests) as the process's database. */
export function setDatabase(db: Database | undefined): void {
  (globalThis as WithDb)[DB] = db;
}

export async function closeDatabase(): Promise<void> {
  const g = globalThis as WithDb;
  const db = g[DB];
  delete g[DB];
  await db?.close();
}
