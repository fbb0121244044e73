import { afterAll, beforeAll, expect, it } from "vitest";
import { deriveSecretKeys } from "@/lib/credentials";
import { createOrder } from "@/lib/orders";
import { seed } from "@/lib/seed";
import { TEST_SECRET } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { createOwnApiKey, KeyCreationRefusedError } from "./create-own-api-key";
import { getOwnKeySettings } from "./get-own-key-settings";
import { KeySettingsError, updateOwnKeySettings, type OwnKeySettings } from "./update-own-key-settings";

const keys = deriveSecretKeys(TEST_SECRET);
const M = 1_000_000n;

describeEachEngine("a buyer's own keys: settings and more keys", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await seed(t.db.prisma, { gatehouseSecret: TEST_SECRET }, { demo: false });
  });
  afterAll(async () => {
    await t?.drop();
  });

  const newOrder = async (id: string, planName = "Pro 30") => {
    const created = await createOrder(t.db.prisma, {
      email: `${id.toLowerCase()}@example.com`,
      planName,
      marketplaceOrderId: id,
      source: "MARKETPLACE",
      delivery: "reveal",
      actor: { label: "webhook" },
      keys,
    });
    return { orderId: created.order.id, keyId: created.apiKey.id, customerId: created.customerId, userId: created.userId };
  };
  const settings = (over: Partial<OwnKeySettings> = {}): OwnKeySettings => ({
    name: "CI runner",
    modelScope: [],
    spendLimitMicros: null,
    spendLimitPeriod: "MONTH",
    ipAllowlist: [],
    ...over,
  });
  const row = (id: string) =>
    t.db.prisma.apiKey.findUniqueOrThrow({
      where: { id },
      select: { name: true, modelScope: true, spendLimitMicros: true, spendLimitPeriod: true, ipAllowlist: true, updatedAt: true },
    });

  it("saves the owner's settings within the plan, audited with what changed", async () => {
    const o = await newOrder("MP-OWN-1");
    const actor = { userId: o.userId, ip: "203.0.113.9" };
    const result = await updateOwnKeySettings(t.db.prisma, {
      keyId: o.keyId,
      customerId: o.customerId,
      actor,
      ...settings({
        modelScope: ["gpt-4.1-mini"],
        spendLimitMicros: 5n * M,
        spendLimitPeriod: "DAY",
        ipAllowlist: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"],
      }),
    });
    expect(result.changed.sort()).toEqual(["ipAllowlist", "modelScope", "name", "spendLimitMicros", "spendLimitPeriod"]);
    expect(await row(o.keyId)).toMatchObject({
      name: "CI runner",
      modelScope: ["gpt-4.1-mini"],
      spendLimitMicros: 5n * M,
      spendLimitPeriod: "DAY",
      ipAllowlist: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"],
    });
    expect(await t.db.prisma.auditLog.findFirst({ where: { action: "api_key.settings_changed", targetId: o.keyId } })).toMatchObject({
      actorId: o.userId,
      ip: "203.0.113.9",
      details: { orderId: o.orderId, spendLimitMicros: "5000000", spendLimitPeriod: "DAY", modelScope: ["gpt-4.1-mini"] },
    });
    expect(await getOwnKeySettings(t.db.prisma, { customerId: o.customerId, orderId: o.orderId, keyId: o.keyId })).toMatchObject({
      name: "CI runner",
      spendLimitPeriod: "DAY",
    });
  });

  it("refuses another buyer's key and changes nothing", async () => {
    const alice = await newOrder("MP-OWN-ALICE");
    const bob = await newOrder("MP-OWN-BOB");
    const before = await row(alice.keyId);
    await expect(
      updateOwnKeySettings(t.db.prisma, { keyId: alice.keyId, customerId: bob.customerId, actor: { userId: bob.userId }, ...settings({ name: "mine now" }) }),
    ).rejects.toBeInstanceOf(KeySettingsError);
    expect(await row(alice.keyId)).toEqual(before);
    expect(await getOwnKeySettings(t.db.prisma, { customerId: bob.customerId, orderId: alice.orderId, keyId: alice.keyId })).toBeNull();
    await expect(
      createOwnApiKey(t.db.prisma, { orderId: alice.orderId, customerId: bob.customerId, actor: { userId: bob.userId }, keys }),
    ).rejects.toMatchObject({
      reason: "no_such_order",
    });
    expect(await t.db.prisma.apiKey.count({ where: { orderId: alice.orderId } })).toBe(1);
    expect(await t.db.prisma.auditLog.count({ where: { targetId: alice.keyId, action: "api_key.settings_changed" } })).toBe(0);
  });

  it("validates: a positive limit, models of the plan only, readable allowlist entries, a name", async () => {
    const o = await newOrder("MP-OWN-2", "Starter 30");
    const before = await row(o.keyId);
    const attempt = (over: Partial<OwnKeySettings>) =>
      updateOwnKeySettings(t.db.prisma, { keyId: o.keyId, customerId: o.customerId, actor: { userId: o.userId }, ...settings(over) }).then(
        () => null,
        (err: unknown) => (err instanceof KeySettingsError ? err.field : err),
      );
    expect(await attempt({ spendLimitMicros: 0n })).toBe("spendLimitUsd");
    expect(await attempt({ spendLimitMicros: -1n })).toBe("spendLimitUsd");
    // Pro 30 sells gpt-5; Starter 30 does not.
    expect(await attempt({ modelScope: ["gpt-4.1-mini", "gpt-5"] })).toBe("models");
    expect(await attempt({ ipAllowlist: ["203.0.113.0/33"] })).toBe("ipAllowlist");
    expect(await attempt({ ipAllowlist: ["10.0.0.300"] })).toBe("ipAllowlist");
    expect(await attempt({ ipAllowlist: ["example.com"] })).toBe("ipAllowlist");
    expect(await attempt({ name: "   " })).toBe("name");
    expect(await row(o.keyId)).toEqual(before);
    // Ticking every model of the plan is the whole plan: stored as no scope of its own.
    const plan = await t.db.prisma.plan.findUniqueOrThrow({ where: { name: "Starter 30" }, select: { models: true } });
    expect(await attempt({ modelScope: plan.models })).toBeNull();
    expect((await row(o.keyId)).modelScope).toEqual([]);
  });

  it("creates keys up to the plan's number, atomically: concurrent creates cannot exceed it", async () => {
    const o = await newOrder("MP-OWN-3"); // Pro 30: three keys per order, one issued
    const create = () => createOwnApiKey(t.db.prisma, { orderId: o.orderId, customerId: o.customerId, actor: { userId: o.userId }, keys });
    const results = await Promise.allSettled([create(), create(), create(), create()]);
    const made = results.filter((r) => r.status === "fulfilled");
    expect(made).toHaveLength(2);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ reason: "key_limit_reached" });
    const live = await t.db.prisma.apiKey.findMany({ where: { orderId: o.orderId }, select: { name: true, revealCiphertext: true, revealedAt: true } });
    expect(live).toHaveLength(3);
    // Each new key waits for its one reveal, like the first.
    expect(live.every((k) => k.revealCiphertext !== null && k.revealedAt === null)).toBe(true);
    expect(await t.db.prisma.auditLog.count({ where: { action: "api_key.created", details: { path: ["orderId"], equals: o.orderId } } })).toBe(2);
    // A disabled key still counts; a deleted one frees its place.
    const extra = await t.db.prisma.apiKey.findFirstOrThrow({ where: { orderId: o.orderId, name: { not: "Default key" } } });
    await t.db.prisma.apiKey.update({ where: { id: extra.id }, data: { status: "DISABLED" } });
    await expect(create()).rejects.toBeInstanceOf(KeyCreationRefusedError);
    await t.db.prisma.apiKey.update({ where: { id: extra.id }, data: { status: "DELETED" } });
    expect(await create()).toMatchObject({ name: "Key 3" });
  });

  it("refuses a key on a plan of one key per order, and on an order that has ended", async () => {
    const one = await newOrder("MP-OWN-4", "Starter 30");
    await expect(createOwnApiKey(t.db.prisma, { orderId: one.orderId, customerId: one.customerId, actor: { label: "system" }, keys })).rejects.toMatchObject({
      reason: "key_limit_reached",
    });
    const ended = await newOrder("MP-OWN-5");
    await t.db.prisma.order.update({ where: { id: ended.orderId }, data: { accessEnd: new Date(Date.now() - 1000) } });
    await expect(
      createOwnApiKey(t.db.prisma, { orderId: ended.orderId, customerId: ended.customerId, actor: { label: "system" }, keys }),
    ).rejects.toMatchObject({
      reason: "order_not_active",
    });
  });
});
