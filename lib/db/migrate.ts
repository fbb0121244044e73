import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { readMigrationList } from "./migrations";
import { NO_FILTERS, openSchemaEngine } from "./schema-engine";

/**
 * Applies pending migrations from prisma/migrations and records them in `_prisma_migrations`
 * exactly as `prisma migrate deploy` does, so either tool can take over. Idempotent: returns the
 * names applied now (none on a second call).
 */
export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory, dir?: string): Promise<string[]> {
  const engine = await openSchemaEngine(factory);
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList: readMigrationList(dir), filters: NO_FILTERS });
    return appliedMigrationNames;
  } finally {
    engine.free();
  }
}
