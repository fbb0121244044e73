import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEmptyDatabase, describeOnPostgres, TEST_DATABASE_URL, type TestDatabase } from "@/test/databases";

describeOnPostgres("database connections", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createEmptyDatabase("postgres");
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("survive the server closing an idle connection (restart, failover, an admin's kill), and the next query works", async () => {
    // The pool's own connections only: Prisma, which listens for pool errors while it is
    // connected, has not connected yet (as in a server whose first work is a metering flush) —
    // and during close it has already let go when the pool ends its connections.
    await t.db.transaction((sql) => sql("SELECT 1"));
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on("uncaughtException", onUncaught);
    try {
      // Every connection of the pool is idle now; the server ends them all.
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      const name = new URL(t.location).pathname.slice(1);
      const { rowCount } = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
      await admin.end();
      expect(rowCount).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(uncaught).toEqual([]);
      const rows = await t.db.transaction((sql) => sql("SELECT 2 AS two"));
      expect(rows.rows).toEqual([{ two: 2 }]);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });
});
