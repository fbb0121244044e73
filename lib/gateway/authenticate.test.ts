import { addDays, subDays } from "date-fns";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { deriveSecretKeys, generateApiKey, hmacLookup } from "@/lib/credentials";
import { GatewayError } from "@/lib/errors";
import { createOrder } from "@/lib/orders";
import { seed } from "@/lib/seed";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { authorizeKey } from "./authenticate";
import { allowedModels } from "./authorize-model";
import { clearKeyCache } from "./key-cache";

const secret = "k".repeat(40);
const keys = deriveSecretKeys(secret);

describeEachEngine("gateway key checks", (engine) => {
  let t: TestDatabase;
  const now = new Date();

  async function newKey(options: { starts?: Date; days?: number } = {}) {
    const created = await createOrder(t.db.prisma, {
      email: `buyer-${Math.random().toString(36).slice(2)}@example.com`,
      planName: "Starter 30",
      accessStart: options.starts,
      days: options.days,
      source: "CLI",
      delivery: "handout",
      actor: { label: "cli" },
      keys,
    });
    return { key: created.apiKey.key!, id: created.apiKey.id, orderId: created.order.id };
  }
  // Async, so a refusal thrown at once (a cached key's) and a rejection read alike; withGateway takes both.
  const check = async (credential: string | null, clientIp: string | null = "203.0.113.9") =>
    authorizeKey(t.db.prisma, { credential, clientIp, pepper: keys.keyPepper });
  const code = async (credential: string | null, clientIp?: string | null) => {
    try {
      await check(credential, clientIp);
      return "ok";
    } catch (err) {
      expect(err).toBeInstanceOf(GatewayError);
      const e = err as GatewayError;
      if (credential && credential.length > 12) expect(e.message).not.toContain(credential.trim());
      return e.code;
    }
  };

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await seed(t.db.prisma, { gatehouseSecret: secret }, { demo: false });
  });
  afterAll(() => t?.drop());
  beforeEach(() => clearKeyCache());

  it("accepts a good key and reports its plan's models", async () => {
    const { key } = await newKey();
    const ok = await check(key);
    expect(ok.plan.name).toBe("Starter 30");
    expect(allowedModels(ok)).toContain("claude-sonnet-4-6");
  });

  it("names each malformed credential without a database read", async () => {
    const { key } = await newKey();
    expect(await code(null)).toBe("missing_api_key");
    expect(await code(`${key.slice(0, 20)} ${key.slice(20)}`)).toBe("api_key_whitespace");
    expect(await code(`${key.slice(0, 20)}\u200b${key.slice(20)}`)).toBe("api_key_invisible_characters");
    expect(await code(`sk-gate-…${key.slice(-4)}`)).toBe("api_key_masked_preview");
    expect(await code("sk-proj-" + "a".repeat(48))).toBe("api_key_other_provider");
    expect(await code(key.slice(0, -1) + (key.endsWith("A") ? "B" : "A"))).toBe("invalid_api_key");
    expect(await code(generateApiKey())).toBe("invalid_api_key");
  });

  it("refuses replaced, disabled and deleted keys with their own errors", async () => {
    const replaced = await newKey();
    await t.db.prisma.apiKey.update({ where: { id: replaced.id }, data: { status: "REPLACED", replacedAt: subDays(now, 1), validUntil: subDays(now, 1) } });
    expect(await code(replaced.key)).toBe("api_key_replaced");
    await expect(check(replaced.key)).rejects.toThrow(/replaced on/i);

    const overlap = await newKey();
    await t.db.prisma.apiKey.update({ where: { id: overlap.id }, data: { status: "REPLACED", replacedAt: now, validUntil: addDays(now, 1) } });
    expect(await code(overlap.key)).toBe("ok");

    const disabled = await newKey();
    await t.db.prisma.apiKey.update({ where: { id: disabled.id }, data: { status: "DISABLED" } });
    expect(await code(disabled.key)).toBe("api_key_disabled");

    const deleted = await newKey();
    await t.db.prisma.apiKey.update({ where: { id: deleted.id }, data: { status: "DELETED" } });
    expect(await code(deleted.key)).toBe("invalid_api_key");
  });

  it("enforces the order window, cancellation and the key's own expiry", async () => {
    expect(await code((await newKey({ starts: addDays(now, 2) })).key)).toBe("access_not_started");
    expect(await code((await newKey({ starts: subDays(now, 10), days: 3 })).key)).toBe("access_expired");
    const cancelled = await newKey();
    await t.db.prisma.order.update({ where: { id: cancelled.orderId }, data: { state: "REFUNDED", endedAt: now } });
    expect(await code(cancelled.key)).toBe("order_cancelled");
    const keyExpired = await newKey();
    await t.db.prisma.apiKey.update({ where: { id: keyExpired.id }, data: { expiresAt: subDays(now, 1) } });
    expect(await code(keyExpired.key)).toBe("access_expired");
  });

  it("applies the IP allowlist (IPv4 and IPv6 CIDRs) to the trusted client IP", async () => {
    const { key, id } = await newKey();
    await t.db.prisma.apiKey.update({ where: { id }, data: { ipAllowlist: ["198.51.100.0/24", "2001:db8::/32"] } });
    expect(await code(key, "198.51.100.20")).toBe("ok");
    expect(await code(key, "2001:db8::7")).toBe("ok");
    expect(await code(key, "203.0.113.9")).toBe("ip_not_allowed");
    await expect(check(key, "203.0.113.9")).rejects.toThrow(/203\.0\.113\.9/);
    expect(await code(key, null)).toBe("ip_not_allowed");
  });

  it("remembers the HMAC of a credential that names a key, not of a made-up one (a flood of them would push real keys out)", async () => {
    const { credentialHmac } = await import("./key-cache");
    const { key } = await newKey();
    await check(key);
    expect(credentialHmac(keys.keyPepper, key)).toBe(hmacLookup(key, keys.keyPepper));
    const madeUp = generateApiKey();
    expect(await code(madeUp)).toBe("invalid_api_key");
    expect(await code(madeUp)).toBe("invalid_api_key");
    expect(credentialHmac(keys.keyPepper, madeUp)).toBeUndefined();
  });

  it("keeps the credentials in use remembered while newer ones push out those no request asks for", async () => {
    const { credentialHmac, rememberCredentialHmac, MAX_HMACS } = await import("./key-cache");
    const pepper = Buffer.alloc(32, 7); // a map of its own
    const fill = (n: number, tag: string) => {
      for (let i = 0; i < n; i++) rememberCredentialHmac(pepper, `${tag}-${i}`, "h");
    };
    rememberCredentialHmac(pepper, "in-use", "h-in-use");
    rememberCredentialHmac(pepper, "idle", "h-idle");
    fill(MAX_HMACS / 2 + 1, "first");
    expect(credentialHmac(pepper, "in-use")).toBe("h-in-use"); // asked for again: moved to the newest end
    fill(MAX_HMACS / 2 + 1000, "second"); // past the bound: the oldest go
    expect(credentialHmac(pepper, "in-use")).toBe("h-in-use");
    expect(credentialHmac(pepper, "idle")).toBeUndefined();
  });

  it("serves repeat lookups from the cache until invalidated", async () => {
    const { key, id } = await newKey();
    await check(key);
    await t.db.prisma.apiKey.update({ where: { id }, data: { status: "DISABLED" } });
    expect(await code(key)).toBe("ok"); // cached
    const { invalidateKey } = await import("./key-cache");
    invalidateKey(hmacLookup(key, keys.keyPepper));
    expect(await code(key)).toBe("api_key_disabled");
  });
});
