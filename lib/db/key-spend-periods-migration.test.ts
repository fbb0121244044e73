import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmptyDatabase, type TestDatabase } from "@/test/databases";
import { applyMigrations } from "./migrate";
import { LOCKFILE, LOCKFILE_CONTENT, MIGRATIONS_DIR, readMigrationList } from "./migrations";

// The migration that gives a key's spend limit a period keeps every existing limit: its amount
// moves to the renamed column and its period is a month, as before.
const MIGRATION = "20261205120000_key_spend_periods";

describe(`migration ${MIGRATION}`, () => {
  let t: TestDatabase;
  let before: string;
  beforeAll(async () => {
    t = await createEmptyDatabase("pglite");
    before = mkdtempSync(join(tmpdir(), "gatehouse-migrations-"));
    for (const dir of readMigrationList()
      .migrationDirectories.map((d) => d.path)
      .filter((p) => p < MIGRATION)) {
      cpSync(join(MIGRATIONS_DIR, dir), join(before, dir), { recursive: true });
    }
    writeFileSync(join(before, LOCKFILE), LOCKFILE_CONTENT);
  });
  afterAll(async () => {
    rmSync(before, { recursive: true, force: true });
    await t?.drop();
  });

  it("keeps existing monthly limits as monthly limits of the same amount", async () => {
    await applyMigrations(t.db, before);
    const sql = (text: string) => t.db.prisma.$executeRawUnsafe(text);
    await sql(`INSERT INTO "customers" ("id", "name", "updatedAt") VALUES ('c1', 'C', now())`);
    await sql(`INSERT INTO "plans" ("id", "name", "durationDays", "rpm", "updatedAt") VALUES ('p1', 'P', 30, 60, now())`);
    await sql(
      `INSERT INTO "orders" ("id", "marketplaceOrderId", "customerId", "planId", "accessStart", "accessEnd", "updatedAt") VALUES ('o1', 'MP-1', 'c1', 'p1', now(), now(), now())`,
    );
    await sql(
      `INSERT INTO "api_keys" ("id", "orderId", "prefix", "lastFour", "hmac", "monthlyLimitMicros", "updatedAt") VALUES ('k1', 'o1', 'sk-gate-', 'abcd', 'h1', 25000000, now()), ('k2', 'o1', 'sk-gate-', 'efgh', 'h2', NULL, now())`,
    );
    expect(await applyMigrations(t.db)).toContain(MIGRATION);
    const keys = await t.db.prisma.apiKey.findMany({ orderBy: { id: "asc" }, select: { id: true, spendLimitMicros: true, spendLimitPeriod: true } });
    expect(keys).toEqual([
      { id: "k1", spendLimitMicros: 25_000_000n, spendLimitPeriod: "MONTH" },
      { id: "k2", spendLimitMicros: null, spendLimitPeriod: "MONTH" },
    ]);
  }, 120_000); // migrations through the schema engine on PGlite: slow on a loaded machine
});
