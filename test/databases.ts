import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe } from "vitest";
import { openDatabase, type Database } from "@/lib/db";
import { applyMigrations } from "@/lib/db/migrate";

// Integration tests run against both engines the product supports: the embedded PGlite and a
// PostgreSQL server (TEST_DATABASE_URL, default the local server). Each test database is new and
// is dropped afterwards. Without a reachable server the PostgreSQL half is skipped with a notice,
// except in CI, where a missing server is a failure.

export type Engine = "pglite" | "postgres";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

let reachable: Promise<boolean> | undefined;

/** Whether the PostgreSQL server answers. */
export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

export interface TestDatabase {
  engine: Engine;
  db: Database;
  /** PostgreSQL URL of the test database, or the PGlite data directory. */
  location: string;
  drop(): Promise<void>;
}

/** Creates an empty database on `engine` (no migrations applied). */
export async function createEmptyDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-test-"));
    const db = openDatabase({ kind: "pglite", dataDir: dir });
    return {
      engine,
      db,
      location: dir,
      async drop() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `gatehouse_test_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const db = openDatabase({ kind: "postgres", url: url.toString() });
  return {
    engine,
    db,
    location: url.toString(),
    async drop() {
      await db.close();
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Creates a database on `engine` with every migration applied. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  const test = await createEmptyDatabase(engine);
  try {
    await applyMigrations(test.db);
  } catch (err) {
    await test.drop();
    throw err;
  }
  return test;
}

const postgresUp = await postgresReachable();
if (!postgresUp) {
  if (process.env.CI) throw new Error(`PostgreSQL is not reachable at ${new URL(TEST_DATABASE_URL).host} (TEST_DATABASE_URL); CI requires it.`);
  console.warn(`[notice] PostgreSQL not reachable at ${new URL(TEST_DATABASE_URL).host}: skipping the PostgreSQL half of the integration tests.`);
}

/** Declares the suite once per engine: `describeEachEngine("seed", (engine) => { ... })`. */
export function describeEachEngine(name: string, body: (engine: Engine) => void) {
  describe(`${name} [pglite]`, () => body("pglite"));
  describeOnPostgres(name, () => body("postgres"));
}

/** A suite about the PostgreSQL server only (its connections, say); skipped, with the notice above, when none answers outside CI. */
export function describeOnPostgres(name: string, body: () => void) {
  (postgresUp ? describe : describe.skip)(`${name} [postgres]`, body);
}
