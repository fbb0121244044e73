import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { setDatabase } from "@/lib/db";
import { createAccounts, type Accounts } from "@/test/accounts";
import { describeEachEngine, createTestDatabase, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { changeUserRoleAction } from "./actions";

// The action is called directly, as a crafted POST would call it: no page, no hidden button.
vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

describeEachEngine("console: change a user's role", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await t?.drop();
  });
  beforeEach(() => {
    signedInAs.userId = null;
  });

  const roleOf = async (email: string) => (await t.db.prisma.user.findUniqueOrThrow({ where: { email }, select: { role: true } })).role;
  const roleChanges = () => t.db.prisma.auditLog.count({ where: { action: "user.role_changed" } });

  it("refuses a signed-out caller (redirect to sign-in) and changes nothing", async () => {
    await expectRedirect(changeUserRoleAction({ status: "idle" }, form({ email: "alice@example.com", role: "ADMIN" })), "/signin");
    expect(await roleOf("alice@example.com")).toBe("BUYER");
  });

  it("answers a buyer with 404 and changes nothing, even for their own address", async () => {
    signedInAs.userId = a.alice.user.id;
    const before = await roleChanges();
    await expectNotFound(changeUserRoleAction({ status: "idle" }, form({ email: "alice@example.com", role: "ADMIN" })));
    await expectNotFound(changeUserRoleAction({ status: "idle" }, form({ email: "bob@example.com", role: "SUPPORT" })));
    expect(await roleOf("alice@example.com")).toBe("BUYER");
    expect(await roleOf("bob@example.com")).toBe("BUYER");
    expect(await roleChanges()).toBe(before);
  });

  it("answers support with 404: changing roles is for admins", async () => {
    signedInAs.userId = a.support.id;
    await expectNotFound(changeUserRoleAction({ status: "idle" }, form({ email: "sam@example.com", role: "ADMIN" })));
    expect(await roleOf("sam@example.com")).toBe("SUPPORT");
  });

  it("lets an admin change a role, audited with the admin and the client IP", async () => {
    signedInAs.userId = a.admin.id;
    const result = await changeUserRoleAction({ status: "idle" }, form({ email: " Bob@Example.com ", role: "SUPPORT" }));
    expect(result).toEqual({ status: "success", message: "bob@example.com is now support." });
    expect(await roleOf("bob@example.com")).toBe("SUPPORT");
    const entry = await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "user.role_changed", targetId: a.bob.user.id }, orderBy: { id: "desc" } });
    expect(entry).toMatchObject({
      actorId: a.admin.id,
      actorLabel: "user",
      targetType: "user",
      ip: "203.0.113.9",
      details: { email: "bob@example.com", from: "BUYER", to: "SUPPORT" },
    });
  });

  it("refuses an admin's change of their own role", async () => {
    signedInAs.userId = a.admin.id;
    expect(await changeUserRoleAction({ status: "idle" }, form({ email: "ada@example.com", role: "BUYER" }))).toMatchObject({ status: "error" });
    expect(await roleOf("ada@example.com")).toBe("ADMIN");
  });

  it("validates the input", async () => {
    signedInAs.userId = a.admin.id;
    expect(await changeUserRoleAction({ status: "idle" }, form({ email: "alice@example.com", role: "ROOT" }))).toMatchObject({ status: "error" });
    expect(await changeUserRoleAction({ status: "idle" }, form({ email: "not an address", role: "ADMIN" }))).toMatchObject({ status: "error" });
    expect(await changeUserRoleAction({ status: "idle" }, form({ role: "ADMIN" }))).toMatchObject({ status: "error" });
    expect(await changeUserRoleAction({ status: "idle" }, form({ email: "ghost@example.com", role: "ADMIN" }))).toEqual({
      status: "error",
      message: "No user with the address ghost@example.com.",
    });
    expect(await roleOf("alice@example.com")).toBe("BUYER");
  });
});
