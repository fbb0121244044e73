import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine, createEmptyDatabase, type TestDatabase } from "@/test/databases";
import { applyMigrations } from "./migrate";
import { readMigrationList } from "./migrations";
import { createHash } from "node:crypto";

describeEachEngine("migrations", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createEmptyDatabase(engine);
  });
  afterAll(() => t?.drop());

  it("applies every committed migration once, then nothing", async () => {
    const committed = readMigrationList().migrationDirectories.map((d) => d.path);
    expect(committed.length).toBeGreaterThan(0);
    expect(await applyMigrations(t.db)).toEqual(committed);
    expect(await applyMigrations(t.db)).toEqual([]);
    // Every migration through the schema engine, on PGlite's WebAssembly: 3 s on a quiet machine,
    // 45 s on two cores shared with the rest of the suite.
  }, 120_000);

  it("records migrations as prisma migrate deploy does (name, checksum, finished)", async () => {
    const rows = await t.db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }[]>(
      "SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name",
    );
    const list = readMigrationList();
    expect(rows.map((r) => r.migration_name)).toEqual(list.migrationDirectories.map((d) => d.path));
    for (const [i, dir] of list.migrationDirectories.entries()) {
      const content = dir.migrationFile.content;
      if (content.tag !== "ok") throw new Error(content.value);
      // Prisma's checksum is the SHA-256 of the migration file.
      expect(rows[i]?.checksum).toBe(createHash("sha256").update(content.value).digest("hex"));
      expect(rows[i]?.finished_at).toBeInstanceOf(Date);
      expect(rows[i]?.rolled_back_at).toBeNull();
    }
  });

  it("leaves a schema the client can use", async () => {
    expect(await t.db.prisma.plan.count()).toBe(0);
    expect(await t.db.prisma.apiKey.count()).toBe(0);
  });
});
