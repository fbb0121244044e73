import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine, createTestDatabase, type TestDatabase } from "@/test/databases";
import { promoteConfiguredAdmin } from "./promote-configured-admin";

describeEachEngine("ADMIN_EMAILS at sign-in", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await t.db.prisma.user.createMany({ data: [{ email: "boss@example.com" }, { email: "dana@example.com" }] });
  });
  afterAll(() => t?.drop());

  it("makes a listed address an admin, audited as a change by the system", async () => {
    expect(await promoteConfiguredAdmin(t.db.prisma, "Boss@Example.com", ["boss@example.com"])).toBe(true);
    const user = await t.db.prisma.user.findUniqueOrThrow({ where: { email: "boss@example.com" } });
    expect(user.role).toBe("ADMIN");
    const entries = await t.db.prisma.auditLog.findMany({ where: { targetId: user.id } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: "user.role_changed",
      actorId: null,
      actorLabel: "system",
      details: { email: "boss@example.com", from: "BUYER", to: "ADMIN", reason: "listed in ADMIN_EMAILS" },
    });
  });

  it("writes nothing when the address already is an admin", async () => {
    const before = await t.db.prisma.auditLog.count();
    expect(await promoteConfiguredAdmin(t.db.prisma, "boss@example.com", ["boss@example.com"])).toBe(false);
    expect(await t.db.prisma.auditLog.count()).toBe(before);
  });

  it("leaves an address that is not listed alone", async () => {
    expect(await promoteConfiguredAdmin(t.db.prisma, "dana@example.com", ["boss@example.com"])).toBe(false);
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { email: "dana@example.com" } })).role).toBe("BUYER");
  });
});
