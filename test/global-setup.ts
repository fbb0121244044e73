import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openDatabase } from "@/lib/db";
import { applyMigrations } from "@/lib/db/migrate";
import { postgresReachable, TEST_DATABASE_URL } from "./databases-server";

// Migrating a new database costs seconds (about 8 s on PGlite, 1.5 s on PostgreSQL) and dozens of
// suites need one. The migrations run once per test run into a template of each engine; every
// test database is then a copy (a directory copy for PGlite, CREATE DATABASE … TEMPLATE on
// PostgreSQL). `lib/db/migrate.test.ts` still migrates empty databases itself.

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string | null;
  }
}

interface Templates {
  pgliteDir: string;
  postgresTemplate: string | null;
}

// Vitest runs the global setup once per project (vitest.config.ts has two) in its own process:
// the first call makes the templates, the others share them, and the last teardown removes them.
const SHARED = Symbol.for("gatehouse.test.templates");
type WithTemplates = typeof globalThis & { [SHARED]?: { templates: Promise<Templates>; users: number } };

export default async function setup(project: TestProject) {
  const g = globalThis as WithTemplates;
  const shared = (g[SHARED] ??= { templates: makeTemplates(), users: 0 });
  shared.users += 1;
  const { pgliteDir, postgresTemplate } = await shared.templates;

  project.provide("pgliteTemplate", pgliteDir);
  project.provide("postgresTemplate", postgresTemplate);

  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete g[SHARED];
    rmSync(pgliteDir, { recursive: true, force: true });
    if (postgresTemplate) await adminQuery(`DROP DATABASE IF EXISTS "${postgresTemplate}" WITH (FORCE)`);
  };
}

async function makeTemplates(): Promise<Templates> {
  const pgliteDir = mkdtempSync(join(tmpdir(), "gatehouse-template-"));
  const pglite = openDatabase({ kind: "pglite", dataDir: pgliteDir });
  try {
    await applyMigrations(pglite);
  } finally {
    await pglite.close();
  }

  let postgresTemplate: string | null = null;
  if (await postgresReachable()) {
    postgresTemplate = `gatehouse_template_${process.pid}_${Date.now().toString(36)}`;
    await adminQuery(`CREATE DATABASE "${postgresTemplate}"`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${postgresTemplate}`;
    const db = openDatabase({ kind: "postgres", url: url.toString() });
    try {
      await applyMigrations(db);
    } finally {
      await db.close();
    }
  }
  return { pgliteDir, postgresTemplate };
}

async function adminQuery(sql: string) {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}
