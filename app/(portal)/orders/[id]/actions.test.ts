import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { resetConfig } from "@/lib/config";
import { deriveSecretKeys } from "@/lib/credentials";
import { setDatabase } from "@/lib/db";
import { createOrder } from "@/lib/orders";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { createKeyAction, revealKeyAction, rotateKeyAction } from "./actions";
import { updateKeySettingsAction } from "./keys/[keyId]/actions";

// The actions are called directly, as a crafted POST would call them: no page, no hidden button.
vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

describeEachEngine("order page actions: reveal, rotate, more keys and their settings", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  let aliceKeyId: string;
  beforeAll(async () => {
    vi.stubEnv("GATEHOUSE_SECRET", TEST_SECRET);
    vi.stubEnv("AUTH_SECRET", TEST_SECRET);
    vi.stubEnv("MARKETPLACE_WEBHOOK_SECRET", TEST_SECRET);
    vi.stubEnv("GATEHOUSE_DATA_DIR", mkdtempSync(join(tmpdir(), "gatehouse-actions-")));
    resetConfig();
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
    // A revealable key on a plan that lets buyers rotate, in Alice's account.
    const created = await createOrder(t.db.prisma, {
      email: "alice@example.com",
      planName: "Pro 30",
      marketplaceOrderId: "MP-ALICE-2",
      source: "MARKETPLACE",
      delivery: "reveal",
      actor: { label: "webhook" },
      keys: deriveSecretKeys(TEST_SECRET),
    });
    aliceKeyId = created.apiKey.id;
  });
  afterAll(async () => {
    setDatabase(undefined);
    await t?.drop();
    vi.unstubAllEnvs();
    resetConfig();
  });
  beforeEach(() => {
    signedInAs.userId = null;
  });

  it("refuses a signed-out caller, another buyer and staff alike, and reveals nothing", async () => {
    await expectRedirect(revealKeyAction({ keyId: aliceKeyId }), "/signin");
    signedInAs.userId = a.bob.user.id;
    await expectNotFound(revealKeyAction({ keyId: aliceKeyId }));
    await expectNotFound(rotateKeyAction({ status: "idle" }, form({ keyId: aliceKeyId, overlap: "none" })));
    signedInAs.userId = a.support.id;
    await expectNotFound(revealKeyAction({ keyId: aliceKeyId }));
    signedInAs.userId = a.admin.id;
    await expectNotFound(revealKeyAction({ keyId: aliceKeyId }));
    expect(await t.db.prisma.apiKey.count({ where: { id: aliceKeyId, revealedAt: { not: null } } })).toBe(0);
  });

  it("validates the input", async () => {
    signedInAs.userId = a.alice.user.id;
    expect(await revealKeyAction({ keyId: "" })).toEqual({ status: "invalid" });
    expect(await revealKeyAction({ keyId: 42 } as unknown as { keyId: string })).toEqual({ status: "invalid" });
    expect(await rotateKeyAction({ status: "idle" }, form({ keyId: aliceKeyId, overlap: "48h" }))).toMatchObject({ status: "error" });
  });

  it("reveals the owner's key once, audited with the user and IP", async () => {
    signedInAs.userId = a.alice.user.id;
    const first = await revealKeyAction({ keyId: aliceKeyId });
    expect(first).toMatchObject({ status: "revealed", key: expect.stringMatching(/^sk-gate-/) });
    expect(await revealKeyAction({ keyId: aliceKeyId })).toEqual({ status: "already_revealed" });
    // A key handed out by the CLI was never revealable.
    expect(await revealKeyAction({ keyId: a.alice.apiKeyId })).toEqual({ status: "not_revealable" });
    const entry = await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "api_key.revealed", targetId: aliceKeyId } });
    expect(entry).toMatchObject({ actorId: a.alice.user.id, ip: "203.0.113.9" });
  });

  it("rotates only when the plan allows it", async () => {
    signedInAs.userId = a.alice.user.id;
    // Starter 30 (Alice's first order) does not include self-rotation.
    expect(await rotateKeyAction({ status: "idle" }, form({ keyId: a.alice.apiKeyId, overlap: "none" }))).toMatchObject({
      status: "error",
      message: expect.stringMatching(/Ask support/),
    });
    const rotated = await rotateKeyAction({ status: "idle" }, form({ keyId: aliceKeyId, overlap: "1h" }));
    expect(rotated).toMatchObject({ status: "rotated", newKeyId: expect.any(String) });
    const old = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: aliceKeyId } });
    expect(old.status).toBe("REPLACED");
    expect(old.validUntil!.getTime() - old.replacedAt!.getTime()).toBe(3_600_000);
    expect(await rotateKeyAction({ status: "idle" }, form({ keyId: aliceKeyId, overlap: "none" }))).toMatchObject({ status: "error" });
  });

  it("key settings and another key: the owner's only, validated, with field errors", async () => {
    const settings = (keyId: string, fields: Record<string, string> = {}) =>
      form({ keyId, name: "CI runner", spendLimitUsd: "", spendLimitPeriod: "MONTH", ipAllowlist: "", ...fields });
    const bobKey = () => t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: a.bob.apiKeyId }, omit: { updatedAt: true } });
    const before = await bobKey();
    // Another buyer, and staff, get a 404 and change nothing.
    signedInAs.userId = a.alice.user.id;
    await expectNotFound(updateKeySettingsAction({ status: "idle" }, settings(a.bob.apiKeyId)));
    await expectNotFound(createKeyAction({ status: "idle" }, form({ orderId: a.bob.orderId })));
    signedInAs.userId = a.support.id;
    await expectNotFound(updateKeySettingsAction({ status: "idle" }, settings(a.bob.apiKeyId)));
    await expectNotFound(createKeyAction({ status: "idle" }, form({ orderId: a.bob.orderId })));
    expect(await bobKey()).toEqual(before);
    expect(await t.db.prisma.apiKey.count({ where: { orderId: a.bob.orderId } })).toBe(1);

    signedInAs.userId = a.bob.user.id;
    // Field errors name the field: a zero limit, an unreadable allowlist entry, a model outside the plan.
    expect(await updateKeySettingsAction({ status: "idle" }, settings(a.bob.apiKeyId, { spendLimitUsd: "0" }))).toMatchObject({
      status: "error",
      fieldErrors: { spendLimitUsd: [expect.stringMatching(/above \$0/)] },
    });
    expect(await updateKeySettingsAction({ status: "idle" }, settings(a.bob.apiKeyId, { ipAllowlist: "203.0.113.0/24\n10.0.0.300" }))).toMatchObject({
      status: "error",
      fieldErrors: { ipAllowlist: [expect.stringMatching(/"10\.0\.0\.300" is not an IP address/)] },
    });
    expect(await updateKeySettingsAction({ status: "idle" }, settings(a.bob.apiKeyId, { models: "gpt-5" }))).toMatchObject({
      status: "error",
      fieldErrors: { models: [expect.stringMatching(/does not include gpt-5/)] },
    });
    expect(await bobKey()).toEqual(before);
    expect(
      await updateKeySettingsAction(
        { status: "idle" },
        settings(a.bob.apiKeyId, { models: "gpt-4.1-mini", spendLimitUsd: "2.50", spendLimitPeriod: "WEEK", ipAllowlist: "203.0.113.0/24\n2001:db8::/32" }),
      ),
    ).toMatchObject({ status: "saved" });
    expect(await bobKey()).toMatchObject({
      name: "CI runner",
      modelScope: ["gpt-4.1-mini"],
      spendLimitMicros: 2_500_000n,
      spendLimitPeriod: "WEEK",
      ipAllowlist: ["203.0.113.0/24", "2001:db8::/32"],
    });
    // Bob's plan (Starter 30) allows one key per order.
    expect(await createKeyAction({ status: "idle" }, form({ orderId: a.bob.orderId, name: "Second" }))).toMatchObject({
      status: "error",
      message: expect.stringMatching(/as many keys as its plan allows/),
    });
  });
});
