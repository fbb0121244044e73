import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { setDatabase } from "@/lib/db";
import { createAccounts, type Accounts } from "@/test/accounts";
import { describeEachEngine, createTestDatabase, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { getCurrentUser, requireAdmin, requireRole, requireStaff, requireUser } from "./current-user";

vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());

describeEachEngine("current user", (engine) => {
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

  it("sends a signed-out visitor to the sign-in page", async () => {
    expect(await getCurrentUser()).toBeNull();
    await expectRedirect(requireUser(), "/signin");
    await expectRedirect(requireStaff(), "/signin");
    await expectRedirect(requireAdmin(), "/signin");
  });

  it("treats a session whose user no longer exists as signed out", async () => {
    signedInAs.userId = "deleted-user";
    await expectRedirect(requireUser(), "/signin");
  });

  it("returns the signed-in user with role and account, and nothing else", async () => {
    signedInAs.userId = a.alice.user.id;
    expect(await requireUser()).toEqual(a.alice.user);
  });

  it("keeps a buyer out of the console (404)", async () => {
    signedInAs.userId = a.alice.user.id;
    await expectNotFound(requireStaff());
    await expectNotFound(requireAdmin());
    await expectNotFound(requireRole("SUPPORT"));
  });

  it("lets support into the console but not the admin pages", async () => {
    signedInAs.userId = a.support.id;
    expect((await requireStaff()).id).toBe(a.support.id);
    await expectNotFound(requireAdmin());
  });

  it("lets an admin everywhere", async () => {
    signedInAs.userId = a.admin.id;
    expect((await requireStaff()).id).toBe(a.admin.id);
    expect((await requireAdmin()).id).toBe(a.admin.id);
  });

  it("reads the role on every request, so a role change applies at once", async () => {
    signedInAs.userId = a.newcomer.id;
    await expectNotFound(requireStaff());
    await t.db.prisma.user.update({ where: { id: a.newcomer.id }, data: { role: "SUPPORT" } });
    expect((await requireStaff()).role).toBe("SUPPORT");
    await t.db.prisma.user.update({ where: { id: a.newcomer.id }, data: { role: "BUYER" } });
    await expectNotFound(requireStaff());
  });
});
