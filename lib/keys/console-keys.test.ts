import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { publishInvalidation } from "@/lib/cache-bus/invalidation-bus";
import { deriveSecretKeys, hmacLookup } from "@/lib/credentials";
import { authorizeKey } from "@/lib/gateway/authenticate";
import { createOrder } from "@/lib/orders";
import { seed } from "@/lib/seed";
import { TEST_SECRET } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { getConsoleKey, keyListQuerySchema, listConsoleKeys } from "./console-keys";
import { rotateApiKey } from "./rotate-api-key";
import { setKeyLimits } from "./set-key-limits";
import { deleteApiKey, setKeyEnabled } from "./set-key-status";

// Every instance must hear of a disabled or deleted key: the publish is what reaches them.
vi.mock("@/lib/cache-bus/invalidation-bus", async (original) => ({
  ...(await original<typeof import("@/lib/cache-bus/invalidation-bus")>()),
  publishInvalidation: vi.fn(async () => true),
}));

const keys = deriveSecretKeys(TEST_SECRET);
const actor = { userId: "", ip: "203.0.113.9" };

describeEachEngine("console keys: find, disable, enable, delete", (engine) => {
  let t: TestDatabase;
  let staffId: string;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await seed(t.db.prisma, { gatehouseSecret: TEST_SECRET }, { demo: false });
    staffId = (await t.db.prisma.user.create({ data: { email: "agent@example.com", role: "SUPPORT" }, select: { id: true } })).id;
    actor.userId = staffId;
  });
  afterAll(async () => {
    await t?.drop();
  });
  beforeEach(() => {
    vi.mocked(publishInvalidation).mockClear();
  });

  let counter = 0;
  /** A fresh order with a handed-out key (so the test holds the plaintext, as a client would). */
  const newKey = async () => {
    counter += 1;
    const created = await createOrder(t.db.prisma, {
      email: `ck-${engine}-${counter}@example.com`,
      planName: "Pro 30",
      marketplaceOrderId: `MP-CK-${counter}`,
      source: "CLI",
      delivery: "handout",
      actor: { label: "cli" },
      keys,
    });
    return {
      id: created.apiKey.id,
      key: created.apiKey.key!,
      lastFour: created.apiKey.lastFour,
      orderId: created.order.id,
      email: `ck-${engine}-${counter}@example.com`,
    };
  };
  const authorize = (key: string) => authorizeKey(t.db.prisma, { credential: key, clientIp: "203.0.113.9", pepper: keys.keyPepper });

  it("finds a key by its last four, a pasted mask, its id, the buyer's email and the order id, and shows no secret", async () => {
    const k = await newKey();
    const find = async (q: string) => (await listConsoleKeys(t.db.prisma, { query: keyListQuerySchema.parse({ q }) })).rows.map((r) => r.id);
    expect(await find(k.lastFour)).toContain(k.id);
    expect(await find(`sk-gate-…${k.lastFour}`)).toContain(k.id);
    expect(await find(`sk-gate-...${k.lastFour}`)).toContain(k.id);
    expect(await find(k.id)).toEqual([k.id]);
    expect(await find(k.email.toUpperCase())).toEqual([k.id]);
    expect(await find(`mp-ck-${counter}`)).toEqual([k.id]);
    expect(await find("nobody-at-all@example.com")).toEqual([]);

    // A whole key pasted into the search keeps only its mask: the URL state never holds it.
    const query = keyListQuerySchema.parse({ q: ` ${k.key} ` });
    expect(query.q).toBe(`sk-gate-…${k.lastFour}`);
    expect(JSON.stringify(query)).not.toContain(k.key);
    const page = await listConsoleKeys(t.db.prisma, { query });
    expect(page.rows.map((r) => r.id)).toContain(k.id);

    const detail = await getConsoleKey(t.db.prisma, k.id);
    expect(detail).toMatchObject({ id: k.id, mask: `sk-gate-…${k.lastFour}`, status: "ACTIVE", display: "Active", plan: { name: "Pro 30" } });
    const text = JSON.stringify(detail, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    expect(text).not.toContain(k.key);
    expect(text).not.toContain(hmacLookup(k.key, keys.keyPepper));
    expect(text).not.toMatch(/ciphertext/i);
    expect(await getConsoleKey(t.db.prisma, "no-such-key")).toBeNull();
  });

  it("filters by status and pages through every key once, newest first", async () => {
    for (let i = 0; i < 3; i++) await newKey();
    const all = (await listConsoleKeys(t.db.prisma, { query: keyListQuerySchema.parse({}), take: 1000 })).rows.map((r) => r.id);
    const walked: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page = await listConsoleKeys(t.db.prisma, { query: { ...keyListQuerySchema.parse({}), cursor }, take: 2 });
      walked.push(...page.rows.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(walked).toEqual(all);
    const disabled = await newKey();
    await setKeyEnabled(t.db.prisma, { keyId: disabled.id, enabled: false, reason: "abuse report", actor });
    const onlyDisabled = await listConsoleKeys(t.db.prisma, { query: keyListQuerySchema.parse({ status: "DISABLED" }) });
    expect(onlyDisabled.rows.map((r) => r.id)).toContain(disabled.id);
    for (const row of onlyDisabled.rows) expect(row.status).toBe("DISABLED");
  });

  it("disabling refuses the key at once (cache forgotten, every instance told), enabling lets it work again, both audited", async () => {
    const k = await newKey();
    const hmac = hmacLookup(k.key, keys.keyPepper);
    await authorize(k.key); // now cached in process
    await expect(setKeyEnabled(t.db.prisma, { keyId: k.id, enabled: false, reason: "  ", actor })).rejects.toThrow(/reason/);
    await setKeyEnabled(t.db.prisma, { keyId: k.id, enabled: false, reason: "Buyer reported a leak", actor });
    expect(publishInvalidation).toHaveBeenCalledWith({ kind: "key", id: hmac });
    await expect(Promise.resolve().then(() => authorize(k.key))).rejects.toMatchObject({ code: "api_key_disabled" });
    await expect(setKeyEnabled(t.db.prisma, { keyId: k.id, enabled: false, reason: "again", actor })).rejects.toThrow(/only an active key/);

    await setKeyEnabled(t.db.prisma, { keyId: k.id, enabled: true, actor });
    expect((await authorize(k.key)).id).toBe(k.id);
    await expect(setKeyEnabled(t.db.prisma, { keyId: k.id, enabled: true, actor })).rejects.toThrow(/not disabled/);

    const entries = await t.db.prisma.auditLog.findMany({
      where: { targetId: k.id, action: { in: ["api_key.disabled", "api_key.enabled"] } },
      orderBy: { id: "asc" },
    });
    expect(entries.map((e) => e.action)).toEqual(["api_key.disabled", "api_key.enabled"]);
    expect(entries[0]).toMatchObject({ actorId: staffId, ip: "203.0.113.9", details: { reason: "Buyer reported a leak", lastFour: k.lastFour } });
  });

  it("deleting needs the last four typed and a reason; the key is refused, its request history stays", async () => {
    const k = await newKey();
    await authorize(k.key);
    const customerId = (await t.db.prisma.order.findUniqueOrThrow({ where: { id: k.orderId } })).customerId;
    await t.db.prisma.requestLog.create({
      data: {
        requestId: `req_del_${engine}`,
        apiKeyId: k.id,
        customerId,
        orderId: k.orderId,
        endpoint: "/v1/chat/completions",
        protocol: "openai",
        status: 200,
        latencyMs: 4,
      },
    });
    const wrong = k.lastFour === "aaaa" ? "bbbb" : "aaaa";
    await expect(deleteApiKey(t.db.prisma, { keyId: k.id, confirmLastFour: wrong, reason: "closing", actor })).rejects.toThrow(/last four/);
    await expect(deleteApiKey(t.db.prisma, { keyId: k.id, confirmLastFour: k.lastFour, reason: "", actor })).rejects.toThrow(/reason/);
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: k.id } })).status).toBe("ACTIVE");

    await deleteApiKey(t.db.prisma, { keyId: k.id, confirmLastFour: ` ${k.lastFour} `, reason: "Order closed by the buyer", actor });
    expect(publishInvalidation).toHaveBeenCalledWith({ kind: "key", id: hmacLookup(k.key, keys.keyPepper) });
    await expect(Promise.resolve().then(() => authorize(k.key))).rejects.toMatchObject({ code: "invalid_api_key" });
    const row = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: k.id }, omit: { revealCiphertext: false } });
    expect(row).toMatchObject({ status: "DELETED", revealCiphertext: null });
    expect(row.deletedAt).not.toBeNull();
    expect(await t.db.prisma.requestLog.findUnique({ where: { requestId: `req_del_${engine}` } })).toMatchObject({ apiKeyId: k.id });
    expect(await t.db.prisma.auditLog.findFirst({ where: { action: "api_key.deleted", targetId: k.id } })).toMatchObject({
      actorId: staffId,
      details: { reason: "Order closed by the buyer", previousStatus: "ACTIVE" },
    });
    // Gone for every act, and shown as deleted.
    await expect(setKeyEnabled(t.db.prisma, { keyId: k.id, enabled: true, actor })).rejects.toThrow(/No API key/);
    await expect(deleteApiKey(t.db.prisma, { keyId: k.id, confirmLastFour: k.lastFour, reason: "x", actor })).rejects.toThrow(/No API key/);
    await expect(setKeyLimits(t.db.prisma, { keyId: k.id, spendLimitUsd: 5, actor })).rejects.toThrow(/No key/);
    expect(await getConsoleKey(t.db.prisma, k.id)).toMatchObject({ status: "DELETED" });
  });

  it("a rotation and a limits change from the console keep the reason in the audit log", async () => {
    const k = await newKey();
    const rotated = await rotateApiKey(t.db.prisma, { keyId: k.id, overlapMs: 3_600_000, delivery: "reveal", actor, reason: "Buyer asked", keys });
    expect(await t.db.prisma.auditLog.findFirst({ where: { action: "api_key.rotated", targetId: k.id } })).toMatchObject({
      actorId: staffId,
      details: { reason: "Buyer asked", newKeyId: rotated.newKeyId },
    });
    // The new key is for the buyer's reveal: nothing of it is returned to the console.
    expect(rotated.key).toBeUndefined();
    await setKeyLimits(t.db.prisma, { keyId: rotated.newKeyId, spendLimitUsd: 12.5, ipAllowlist: ["203.0.113.0/24"], reason: "budget", actor });
    expect(await t.db.prisma.auditLog.findFirst({ where: { action: "api_key.limits_changed", targetId: rotated.newKeyId } })).toMatchObject({
      details: { reason: "budget", spendLimitMicros: "12500000", ipAllowlist: ["203.0.113.0/24"] },
    });
  });
});
