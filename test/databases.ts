import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, inject } from "vitest";
import { openDatabase, type Database } from "@/lib/db";
import { applyMigrations } from "@/lib/db/migrate";
import { postgresReachable, TEST_DATABASE_URL } from "./databases-server";

// Integration tests run against both engines the product supports: the embedded PGlite and a
// PostgreSQL server (TEST_DATABASE_URL, default the local server). Each test database is new and
// is dropped afterwards. Without a reachable server the PostgreSQL half is skipped with a notice,
// except in CI, where a missing server is a failure.

export type Engine = "pglite" | "postgres";

export { postgresReachable, TEST_DATABASE_URL };

export interface TestDatabase {
  engine: Engine;
  db: Database;
  /** PostgreSQL URL of the test database, or the PGlite data directory. */
  location: string;
  drop(): Promise<void>;
}

/** Creates an empty database on `engine` (no migrations applied). */
export async function createEmptyDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === "pglite") return pgliteDatabase(mkdtempSync(join(tmpdir(), "gatehouse-test-")));
  return postgresDatabase("");
}

function pgliteDatabase(dir: string): TestDatabase {
  const db = openDatabase({ kind: "pglite", dataDir: dir });
  return {
    engine: "pglite",
    db,
    location: dir,
    async drop() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresDatabase(options: string): Promise<TestDatabase> {
  const name = `gatehouse_test_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" ${options}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const db = openDatabase({ kind: "postgres", url: url.toString() });
  return {
    engine: "postgres",
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

/**
 * Creates a database on `engine` with every migration applied: a copy of the template the global
 * setup migrated (test/global-setup.ts), or, outside a run that has one, a database migrated here.
 */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  const template = engine === "pglite" ? inject("pgliteTemplate") : inject("postgresTemplate");
  if (template) return copyDatabase(engine, template);
  const test = await createEmptyDatabase(engine);
  try {
    await applyMigrations(test.db);
  } catch (err) {
    await test.drop();
    throw err;
  }
  return test;
}

async function copyDatabase(engine: Engine, template: string): Promise<TestDatabase> {
  if (engine === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-test-"));
    cpSync(template, dir, { recursive: true });
    return pgliteDatabase(dir);
  }
  return postgresDatabase(`TEMPLATE "${template}"`);
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
