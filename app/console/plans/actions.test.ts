import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { resetConfig } from "@/lib/config";
import { setDatabase } from "@/lib/db";
import { getCachedKey, setCachedKey } from "@/lib/gateway/key-cache";
import type { GatewayKey } from "@/lib/gateway/load-key";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { createPlanAction, updatePlanAction } from "./actions";

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
const planFields = {
  description: "For the tests",
  models: ["gpt-4.1-mini", "claude-sonnet-4-6"],
  durationDays: "14",
  rpm: "90",
  tpm: "",
  credit: "12.50",
  multiplier: "1.25",
  maxKeysPerOrder: "2",
  selfRotate: "on",
  active: "on",
};

describeEachEngine("console: plans", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  let starterId: string;
  beforeAll(async () => {
    vi.stubEnv("GATEHOUSE_SECRET", TEST_SECRET);
    vi.stubEnv("AUTH_SECRET", TEST_SECRET);
    vi.stubEnv("MARKETPLACE_WEBHOOK_SECRET", TEST_SECRET);
    vi.stubEnv("GATEHOUSE_DATA_DIR", mkdtempSync(join(tmpdir(), "gatehouse-plans-")));
    resetConfig();
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
    starterId = (await t.db.prisma.plan.findUniqueOrThrow({ where: { name: "Starter 30" } })).id;
  });
  afterAll(async () => {
    setDatabase(undefined);
    vi.unstubAllEnvs();
    resetConfig();
    await t?.drop();
  });
  beforeEach(() => {
    signedInAs.userId = null;
  });

  const snapshot = async () => ({
    plans: await t.db.prisma.plan.findMany({ orderBy: { name: "asc" } }),
    audit: await t.db.prisma.auditLog.count({ where: { action: { startsWith: "plan." } } }),
  });

  it("sends a signed-out caller to sign in and changes nothing", async () => {
    const before = await snapshot();
    await expectRedirect(createPlanAction(idle, form({ name: "Sneaky", ...planFields })), "/signin");
    await expectRedirect(updatePlanAction(idle, form({ id: starterId, ...planFields })), "/signin");
    expect(await snapshot()).toEqual(before);
  });

  it("answers a buyer and support with 404 and changes nothing", async () => {
    const before = await snapshot();
    for (const user of [a.alice.user, a.support]) {
      signedInAs.userId = user.id;
      await expectNotFound(createPlanAction(idle, form({ name: "Sneaky", ...planFields })));
      await expectNotFound(updatePlanAction(idle, form({ id: starterId, ...planFields, rpm: "100000" })));
      await expectNotFound(updatePlanAction({ id: starterId, ...planFields } as never));
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuses invalid input field by field, and unpriced models, without writing", async () => {
    signedInAs.userId = a.admin.id;
    const before = await snapshot();
    const result = await createPlanAction(
      idle,
      form({ name: "", ...planFields, models: [], durationDays: "0", rpm: "lots", credit: "-5", multiplier: "0", maxKeysPerOrder: "1000" }),
    );
    expect(result).toMatchObject({ status: "error", fieldErrors: {} });
    const fieldErrors = (result as { fieldErrors: Record<string, string[]> }).fieldErrors;
    expect(Object.keys(fieldErrors).sort()).toEqual(["credit", "durationDays", "maxKeysPerOrder", "models", "multiplier", "name", "rpm"]);
    expect(fieldErrors.credit![0]).toMatch(/dollars/);
    expect(await createPlanAction(idle, form({ name: "Ghost", ...planFields, models: ["no-such-model"] }))).toEqual({
      status: "error",
      message: "No price for no-such-model. Add the price on the Prices page first.",
    });
    expect(await createPlanAction(idle, form({ name: "Starter 30", ...planFields }))).toMatchObject({
      status: "error",
      message: expect.stringMatching(/already exists/),
    });
    expect(await snapshot()).toEqual(before);
  });

  it("lets an admin create a plan: dollars stored as micro-dollars, audited with the admin", async () => {
    signedInAs.userId = a.admin.id;
    await expect(createPlanAction(idle, form({ name: " Team 14 ", ...planFields }))).rejects.toMatchObject({
      digest: expect.stringMatching(/^NEXT_REDIRECT;replace;\/console\/plans\/\w+\?saved=created;/),
    });
    const plan = await t.db.prisma.plan.findUniqueOrThrow({ where: { name: "Team 14" } });
    expect(plan).toMatchObject({
      description: "For the tests",
      models: ["gpt-4.1-mini", "claude-sonnet-4-6"],
      durationDays: 14,
      rpm: 90,
      tpm: null,
      creditMicros: 12_500_000n,
      multiplierBps: 12_500,
      maxKeysPerOrder: 2,
      selfRotate: true,
      active: true,
    });
    const entry = await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "plan.created", targetId: plan.id } });
    expect(entry).toMatchObject({
      actorId: a.admin.id,
      actorLabel: "user",
      ip: "203.0.113.9",
      details: expect.objectContaining({ name: "Team 14", creditMicros: "12500000" }),
    });
  });

  it("lets an admin edit a plan; the gateway's cached keys are dropped so the next request sees it", async () => {
    signedInAs.userId = a.admin.id;
    setCachedKey("some-hmac", { id: "k", order: { id: "o" } } as unknown as GatewayKey);
    const result = await updatePlanAction(idle, form({ id: starterId, ...planFields, rpm: "5", tpm: "1000", selfRotate: "", active: "" }));
    expect(result).toEqual({ status: "success", message: 'Saved "Starter 30". New requests use it now.' });
    expect(getCachedKey("some-hmac")).toBeUndefined();
    const plan = await t.db.prisma.plan.findUniqueOrThrow({ where: { id: starterId } });
    expect(plan).toMatchObject({ name: "Starter 30", rpm: 5, tpm: 1000, selfRotate: false, active: false });
    const entry = await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "plan.updated", targetId: starterId }, orderBy: { id: "desc" } });
    expect(entry.actorId).toBe(a.admin.id);
    expect(entry.details).toMatchObject({ name: "Starter 30", changed: { rpm: { from: 60, to: 5 }, active: { from: true, to: false } } });
    // Saving the same values again changes nothing and writes no entry.
    const count = await t.db.prisma.auditLog.count({ where: { action: "plan.updated" } });
    expect(await updatePlanAction(idle, form({ id: starterId, ...planFields, rpm: "5", tpm: "1000", selfRotate: "", active: "" }))).toMatchObject({
      status: "success",
      message: expect.stringMatching(/Nothing changed/),
    });
    expect(await t.db.prisma.auditLog.count({ where: { action: "plan.updated" } })).toBe(count);
  });
});
