import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAccounts, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { LastAdminError, setUserRole } from "./index";

describeEachEngine("the last admin", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
  });
  afterAll(async () => {
    await t?.drop();
  });

  const admins = () => t.db.prisma.user.findMany({ where: { role: "ADMIN" }, select: { email: true }, orderBy: { email: "asc" } });
  const changes = () => t.db.prisma.auditLog.count({ where: { action: "user.role_changed" } });

  it("cannot be demoted, by anyone, and nothing is written", async () => {
    expect(await admins()).toEqual([{ email: "ada@example.com" }]);
    const before = await changes();
    await expect(setUserRole(t.db.prisma, { email: "ada@example.com", role: "SUPPORT", actor: { label: "cli" } })).rejects.toThrow(LastAdminError);
    await expect(setUserRole(t.db.prisma, { email: "ada@example.com", role: "BUYER", actor: { userId: a.support.id } })).rejects.toThrow(/last admin/);
    expect(await admins()).toEqual([{ email: "ada@example.com" }]);
    expect(await changes()).toBe(before);
  });

  it("can be demoted once another admin exists; of two admins demoting each other at once, one wins", async () => {
    await setUserRole(t.db.prisma, { email: "sam@example.com", role: "ADMIN", actor: { userId: a.admin.id } });
    const results = await Promise.allSettled([
      setUserRole(t.db.prisma, { email: "ada@example.com", role: "SUPPORT", actor: { userId: a.support.id } }),
      setUserRole(t.db.prisma, { email: "sam@example.com", role: "SUPPORT", actor: { userId: a.admin.id } }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected");
    expect(refused?.reason).toBeInstanceOf(LastAdminError);
    expect(await admins()).toHaveLength(1);
  });
  it("waits for a demotion still in flight elsewhere and then refuses (PostgreSQL: the lock is what makes it safe)", async () => {
    // PGlite runs one transaction at a time, so nothing can be in flight there.
    if (engine !== "postgres") return;
    await t.db.prisma.user.updateMany({ where: { email: { in: ["ada@example.com", "sam@example.com"] } }, data: { role: "ADMIN" } });
    // Another connection demotes Ada and has not committed yet.
    const other = new pg.Client({ connectionString: t.location });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("UPDATE users SET role = 'SUPPORT' WHERE email = 'ada@example.com'");
      const outcome = setUserRole(t.db.prisma, { email: "sam@example.com", role: "SUPPORT", actor: { label: "cli" } }).then(
        () => "demoted",
        (err: unknown) => err,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await other.query("COMMIT");
      // Without the lock, Sam's demotion would have counted Ada as an admin and gone through.
      expect(await outcome).toBeInstanceOf(LastAdminError);
    } finally {
      await other.end();
    }
    expect(await admins()).toEqual([{ email: "sam@example.com" }]);
  });
});
