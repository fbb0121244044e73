// npm run db:migration -- <name>
// Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the database
// from the committed migrations to prisma/schema.prisma. The committed migrations are replayed into
// a throwaway in-memory PGlite (the WASM engine has no shadow database of its own), so nothing but
// this folder is touched.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { LOCKFILE, LOCKFILE_CONTENT, MIGRATIONS_DIR, SCHEMA_PATH, readMigrationList } from "../lib/db/migrations";
import { NO_FILTERS, openSchemaEngine } from "../lib/db/schema-engine";

async function main() {
  const name = (process.argv[2] ?? "").trim();
  if (!/^[a-z0-9_]+$/.test(name)) {
    console.error("Usage: npm run db:migration -- <name>   (lower-case letters, digits and _)");
    process.exit(2);
  }
  const pglite = new PGlite();
  const engine = await openSchemaEngine(new PrismaPGlite(pglite));
  const list = readMigrationList();
  const from = list.migrationDirectories.length > 0 ? { tag: "migrations" as const, ...list } : { tag: "empty" as const };
  const result = await engine.diff({
    from,
    to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: readFileSync(SCHEMA_PATH, "utf8") }] },
    script: true,
    exitCode: null,
    filters: NO_FILTERS,
  });
  engine.free();
  await pglite.close();
  const sql = (result.stdout ?? "").trim();
  if (!sql || /^-- This is an empty migration\.?$/.test(sql)) {
    console.log("The schema matches the migrations: nothing to create.");
    process.exit(0);
  }
  const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const dir = join(MIGRATIONS_DIR, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "migration.sql"), `${sql}\n`);
  writeFileSync(join(MIGRATIONS_DIR, LOCKFILE), LOCKFILE_CONTENT);
  console.log(`Created ${dir}/migration.sql`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
