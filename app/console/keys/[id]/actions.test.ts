import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { setDatabase } from "@/lib/db";
import { createAccounts, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { deleteKeyAction, rotateKeyAction, setKeyEnabledAction, setKeyLimitsAction } from "./actions";

// The actions are called directly, as a crafted POST would call them: no page, no hidden button.
vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

function form(fields: Record<string, string | string[]>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) data.append(name, v);
  return data;
}

const idle = { status: "idle" } as const;

describeEachEngine("console: key actions", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
    process.env.GATEHOUSE_SECRET ??= "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
  });
  afterAll(async () => {
    setDatabase(undefined);
    await t?.drop();
  });
  beforeEach(() => {
    signedInAs.userId = null;
  });

  /** Everything an action could change about keys, and the audit log's length. */
  const snapshot = async () => ({
    keys: await t.db.prisma.apiKey.findMany({ orderBy: { id: "asc" }, omit: { updatedAt: true } }),
    audit: await t.db.prisma.auditLog.count(),
  });

  const attempts = (keyId: string, lastFour: string) => [
    () => rotateKeyAction(idle, form({ keyId, overlap: "1h" })),
    () => setKeyEnabledAction(idle, form({ keyId, enabled: "false", reason: "x" })),
    () => deleteKeyAction(idle, form({ keyId, confirm: lastFour, reason: "x" })),
    () => setKeyLimitsAction(idle, form({ keyId, spendLimitUsd: "1", ipAllowlist: "" })),
    // Called from code with the input object, too.
    () => rotateKeyAction({ keyId, overlap: "none" }),
  ];

  it("refuses a signed-out caller (redirect to sign-in) and changes nothing", async () => {
    const key = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: a.alice.apiKeyId } });
    const before = await snapshot();
    for (const attempt of attempts(key.id, key.lastFour)) await expectRedirect(attempt(), "/signin");
    expect(await snapshot()).toEqual(before);
  });

  it("answers a buyer with 404, even for their own key, and changes nothing", async () => {
    const key = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: a.alice.apiKeyId } });
    const before = await snapshot();
    signedInAs.userId = a.alice.user.id;
    for (const attempt of attempts(key.id, key.lastFour)) await expectNotFound(attempt());
    signedInAs.userId = a.newcomer.id;
    for (const attempt of attempts(key.id, key.lastFour)) await expectNotFound(attempt());
    expect(await snapshot()).toEqual(before);
  });

  it("lets support change limits within the plan but not rate overrides", async () => {
    signedInAs.userId = a.support.id;
    const before = await snapshot();
    expect(await setKeyLimitsAction(idle, form({ keyId: a.bob.apiKeyId, spendLimitUsd: "5", ipAllowlist: "", rpm: "9999" }))).toEqual({
      status: "error",
      message: "Only an admin can change rate overrides.",
    });
    expect(await setKeyLimitsAction(idle, form({ keyId: a.bob.apiKeyId, models: "not-in-plan", spendLimitUsd: "", ipAllowlist: "" }))).toMatchObject({
      status: "error",
      message: expect.stringMatching(/^Not in the plan: not-in-plan/),
    });
    expect(await setKeyLimitsAction(idle, form({ keyId: a.bob.apiKeyId, spendLimitUsd: "-1", ipAllowlist: "" }))).toMatchObject({ status: "error" });
    expect(await snapshot()).toEqual(before);

    const plan = (await t.db.prisma.order.findUniqueOrThrow({ where: { id: a.bob.orderId }, select: { plan: { select: { models: true } } } })).plan;
    expect(
      await setKeyLimitsAction(
        idle,
        form({
          keyId: a.bob.apiKeyId,
          models: plan.models.slice(0, 1),
          spendLimitUsd: "7.5",
          spendLimitPeriod: "DAY",
          ipAllowlist: "203.0.113.0/24\n198.51.100.1",
        }),
      ),
    ).toMatchObject({ status: "success" });
    expect(await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: a.bob.apiKeyId } })).toMatchObject({
      modelScope: plan.models.slice(0, 1),
      spendLimitMicros: 7_500_000n,
      spendLimitPeriod: "DAY",
      ipAllowlist: ["203.0.113.0/24", "198.51.100.1"],
      rpmLimit: null,
    });
    expect(
      await t.db.prisma.auditLog.findFirst({ where: { action: "api_key.limits_changed", targetId: a.bob.apiKeyId }, orderBy: { id: "desc" } }),
    ).toMatchObject({
      actorId: a.support.id,
      ip: "203.0.113.9",
    });

    signedInAs.userId = a.admin.id;
    expect(await setKeyLimitsAction(idle, form({ keyId: a.bob.apiKeyId, spendLimitUsd: "", ipAllowlist: "", rpm: "120", tpm: "" }))).toMatchObject({
      status: "success",
    });
    expect(await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: a.bob.apiKeyId } })).toMatchObject({
      rpmLimit: 120,
      tpmLimit: null,
      spendLimitMicros: null,
    });
  });

  it("lets support disable, enable, rotate (for the buyer's reveal) and delete, each audited with the agent", async () => {
    signedInAs.userId = a.support.id;
    const keyId = a.alice.apiKeyId;
    expect(await setKeyEnabledAction(idle, form({ keyId, enabled: "false", reason: "" }))).toMatchObject({ status: "error" });
    expect(await setKeyEnabledAction(idle, form({ keyId, enabled: "false", reason: "Leaked in a public repo" }))).toMatchObject({ status: "success" });
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: keyId } })).status).toBe("DISABLED");
    expect(await rotateKeyAction(idle, form({ keyId, overlap: "1h" }))).toMatchObject({
      status: "error",
      message: expect.stringMatching(/only an active key/),
    });
    expect(await setKeyEnabledAction(idle, form({ keyId, enabled: "true" }))).toMatchObject({ status: "success" });

    expect(await rotateKeyAction(idle, form({ keyId, overlap: "2h" }))).toMatchObject({ status: "error" });
    const rotated = await rotateKeyAction(idle, form({ keyId, overlap: "1h", reason: "Buyer asked" }));
    expect(rotated).toMatchObject({ status: "success" });
    // The console's answer never carries a key.
    expect(JSON.stringify(rotated)).not.toMatch(/sk-gate-[0-9A-Za-z]{20}/);
    const old = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: keyId } });
    expect(old.status).toBe("REPLACED");
    expect(old.validUntil!.getTime() - old.replacedAt!.getTime()).toBe(3_600_000);
    const fresh = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: old.replacedById! }, omit: { revealCiphertext: false } });
    expect(fresh.revealCiphertext).not.toBeNull();
    expect(fresh.handedOutAt).toBeNull();

    expect(await deleteKeyAction(idle, form({ keyId: fresh.id, confirm: "zzzz", reason: "done" }))).toMatchObject({ status: "error" });
    expect(await deleteKeyAction(idle, form({ keyId: fresh.id, confirm: fresh.lastFour }))).toMatchObject({ status: "error" });
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: fresh.id } })).status).toBe("ACTIVE");
    expect(await deleteKeyAction(idle, form({ keyId: fresh.id, confirm: fresh.lastFour, reason: "Account closed" }))).toMatchObject({ status: "success" });
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: fresh.id } })).status).toBe("DELETED");

    const acts = await t.db.prisma.auditLog.findMany({
      where: { targetId: { in: [keyId, fresh.id] }, action: { in: ["api_key.disabled", "api_key.enabled", "api_key.rotated", "api_key.deleted"] } },
      orderBy: { id: "asc" },
    });
    expect(acts.map((e) => e.action)).toEqual(["api_key.disabled", "api_key.enabled", "api_key.rotated", "api_key.deleted"]);
    for (const act of acts) expect(act).toMatchObject({ actorId: a.support.id, actorLabel: "user", ip: "203.0.113.9" });
  });
});
