import type { Database } from "./client";
import { readMigrationList } from "./migrations";
import { NO_FILTERS, openSchemaEngine } from "./schema-engine";

/**
 * Applies pending migrations from prisma/migrations and records them in `_prisma_migrations`
 * exactly as `prisma migrate deploy` does, so either tool can take over. Idempotent: returns the
 * names applied now (none on a second call).
 */
export async function applyMigrations(db: Pick<Database, "migrationTarget">, dir?: string): Promise<string[]> {
  const target = db.migrationTarget();
  try {
    const engine = await openSchemaEngine(target.factory);
    try {
      const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList: readMigrationList(dir), filters: NO_FILTERS });
      return appliedMigrationNames;
    } finally {
      engine.free();
    }
  } finally {
    await target.dispose();
  }
}
