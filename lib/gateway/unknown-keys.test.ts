import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { InvalidationBus } from "@/lib/cache-bus/invalidation-bus";
import { deriveSecretKeys, generateApiKey, hmacLookup } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { errorResponse, GatewayError } from "@/lib/errors";
import { rotateApiKey } from "@/lib/keys";
import { KeyRateLimiter, setKeyRateLimiter } from "@/lib/limits";
import { createOrder } from "@/lib/orders";
import { closeClient, deleteKeys, describeWithRedis, recordingLogger, testClient, uniquePrefix } from "@/lib/redis/redis-test-support";
import { processSingleton } from "@/lib/server/process-singleton";
import { seed } from "@/lib/seed";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { authorizeKey } from "./authenticate";
import { KEY_CACHE_TTL_MS } from "./cache-ttls";
import { clearKeyCache, getCachedKey, invalidateKey } from "./key-cache";
import { forgetKnownKeys, knownKeysReady, UNCHECKED_READS_BURST } from "./known-keys";
import { clearUnknownKeyBlocks, UNKNOWN_KEY_LIMIT } from "./unknown-key-limit";

// Unknown keys (issue 22): remembered and read once, limited per client IP, and never in the way
// of a key created after its HMAC was missed.

/** The next key generateApiKey hands out, when a test needs to know a key before it exists; and how many HMACs were computed. */
const planned = vi.hoisted(() => ({ keys: [] as string[], hmacs: 0 }));
vi.mock("@/lib/credentials", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/credentials")>();
  return {
    ...real,
    generateApiKey: () => planned.keys.shift() ?? real.generateApiKey(),
    hmacLookup: (...args: Parameters<typeof real.hmacLookup>) => {
      planned.hmacs += 1;
      return real.hmacLookup(...args);
    },
  };
});

const secret = "u".repeat(40);
const keys = deriveSecretKeys(secret);
let ipCounter = 0;
/** A client IP no other test has used: each test's unknown keys count against its own. */
const freshIp = () => `198.18.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;

/** The test database's client, counting the key lookups it runs (and, when gated, holding their answers). */
function countingClient(db: Prisma) {
  const state = { reads: 0, gate: null as Promise<void> | null };
  const client = db.$extends({
    query: {
      apiKey: {
        async findUnique({ args, query }) {
          state.reads += 1;
          const result = await query(args);
          if (state.gate) await state.gate;
          return result;
        },
      },
    },
  }) as unknown as Prisma;
  return { client, state };
}

/** How an attempt ended: "ok" or the refusal's code, whether thrown at once or as a rejection. */
async function outcome(attempt: unknown): Promise<string> {
  try {
    await (typeof attempt === "function" ? attempt() : attempt);
    return "ok";
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    return err.code;
  }
}

describeEachEngine("unknown keys", (engine) => {
  let t: TestDatabase;
  let db: ReturnType<typeof countingClient>;
  // Async, as the gateway's handlers call it: a refusal decided in memory is thrown at once.
  const check = async (credential: string, clientIp: string) => authorizeKey(db.client, { credential, clientIp, pepper: keys.keyPepper });

  async function newOrder() {
    const created = await createOrder(t.db.prisma, {
      email: `unknown-${Math.random().toString(36).slice(2)}@example.com`,
      planName: "Starter 30",
      source: "CLI",
      delivery: "handout",
      actor: { label: "cli" },
      keys,
    });
    return { key: created.apiKey.key!, id: created.apiKey.id };
  }

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await seed(t.db.prisma, { gatehouseSecret: secret }, { demo: false });
    db = countingClient(t.db.prisma);
  });
  afterAll(() => t?.drop());
  beforeEach(() => {
    clearKeyCache();
    clearUnknownKeyBlocks();
    forgetKnownKeys();
    setKeyRateLimiter(new KeyRateLimiter());
    db.state.reads = 0;
    db.state.gate = null;
    planned.keys.length = 0;
  });
  afterAll(() => setKeyRateLimiter(undefined));

  it("reads an unknown key once for concurrent requests, then remembers it", async () => {
    const ip = freshIp();
    const fake = generateApiKey();
    const answers = await Promise.all(Array.from({ length: 10 }, () => outcome(check(fake, ip))));
    expect(answers).toEqual(Array(10).fill("invalid_api_key"));
    expect(db.state.reads).toBe(1);
    expect(getCachedKey(hmacLookup(fake, keys.keyPepper))).toBeNull();
    expect(await outcome(check(fake, ip))).toBe("invalid_api_key");
    expect(db.state.reads).toBe(1);
  });

  it("a key created or rotated after its HMAC was missed works at once", async () => {
    const ip = freshIp();
    const created = generateApiKey();
    expect(await outcome(check(created, ip))).toBe("invalid_api_key");
    planned.keys.push(created);
    expect((await newOrder()).key).toBe(created);
    expect(await outcome(check(created, ip))).toBe("ok");

    const { id } = await newOrder();
    const successor = generateApiKey();
    expect(await outcome(check(successor, ip))).toBe("invalid_api_key");
    planned.keys.push(successor);
    const rotated = await rotateApiKey(t.db.prisma, { keyId: id, delivery: "handout", actor: { label: "cli" }, keys });
    expect(rotated.key).toBe(successor);
    expect(await outcome(check(successor, ip))).toBe("ok");
  });

  it("a miss read before the key was created, and answered after, is not remembered", async () => {
    const ip = freshIp();
    const key = generateApiKey();
    let release!: () => void;
    db.state.gate = new Promise((resolve) => (release = resolve));
    const early = outcome(check(key, ip)); // reads before the key exists; its answer is held back
    await vi.waitFor(() => expect(db.state.reads).toBe(1));
    planned.keys.push(key);
    await newOrder();
    release();
    expect(await early).toBe("invalid_api_key");
    db.state.gate = null;
    expect(await outcome(check(key, ip))).toBe("ok");
  });

  it(`refuses a client's unknown keys with 429 after ${UNKNOWN_KEY_LIMIT.points} a minute, without reading them; its known keys still work`, async () => {
    const ip = freshIp();
    const { key } = await newOrder();
    // Known keys are never counted: a hundred requests leave the whole budget.
    for (let i = 0; i < 100; i++) expect(await outcome(check(key, ip))).toBe("ok");
    for (let i = 0; i < UNKNOWN_KEY_LIMIT.points; i++) expect(await outcome(check(generateApiKey(), ip))).toBe("invalid_api_key");
    const readsBefore = db.state.reads;
    let refusal: GatewayError | undefined;
    try {
      await check(generateApiKey(), ip);
    } catch (err) {
      refusal = err as GatewayError;
    }
    expect(refusal?.code).toBe("rate_limit_exceeded");
    expect(refusal?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refusal?.retryAfterSeconds).toBeLessThanOrEqual(UNKNOWN_KEY_LIMIT.durationSeconds);
    // Blocked: the next ones are refused before any read, and before their HMAC is computed.
    const hmacsBefore = planned.hmacs;
    for (let i = 0; i < 20; i++) expect(await outcome(check(generateApiKey(), ip))).toBe("rate_limit_exceeded");
    expect(db.state.reads - readsBefore).toBe(1);
    expect(planned.hmacs - hmacsBefore).toBe(0);
    // The client's key (cached) still works; another client is not affected.
    expect(await outcome(check(key, ip))).toBe("ok");
    expect(await outcome(check(generateApiKey(), freshIp()))).toBe("invalid_api_key");

    // The 429 in each protocol's shape, with Retry-After.
    for (const protocol of ["openai", "anthropic", "gemini"] as const) {
      const response = errorResponse(refusal!, protocol, "req_test");
      expect(response.status).toBe(429);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const body = JSON.stringify(await response.json());
      expect(body).toMatch(protocol === "gemini" ? /RESOURCE_EXHAUSTED/ : /rate_limit_error/);
      expect(body).toMatch(/keys we do not know/);
    }
  });

  it("a blocked client's real keys are still read when not cached: only keys no key can be are refused unread", async () => {
    const ip = freshIp();
    const { key: used } = await newOrder();
    const { key: unused } = await newOrder();
    expect(await outcome(check(used, ip))).toBe("ok");
    await vi.waitFor(() => expect(knownKeysReady()).toBe(true));
    for (let i = 0; i <= UNKNOWN_KEY_LIMIT.points; i++) await outcome(check(generateApiKey(), ip));
    expect(await outcome(check(generateApiKey(), ip))).toBe("rate_limit_exceeded");
    // Past the key cache's TTL, still within the client's block: the key it used is read again.
    const later = Date.now() + KEY_CACHE_TTL_MS + 1000;
    const at = (credential: string) => outcome(async () => authorizeKey(db.client, { credential, clientIp: ip, pepper: keys.keyPepper, nowMs: later }));
    const readsBefore = db.state.reads;
    expect(await at(used)).toBe("ok");
    expect(db.state.reads - readsBefore).toBe(1);
    // A real key it never sent here (a colleague behind the same address) is read too.
    expect(await at(unused)).toBe("ok");
    expect(db.state.reads - readsBefore).toBe(2);
    // Made-up keys are still refused with 429, not read, and (no key ends as they do) not even hashed.
    const hmacsBefore = planned.hmacs;
    for (let i = 0; i < 20; i++) expect(await at(generateApiKey())).toBe("rate_limit_exceeded");
    expect(db.state.reads - readsBefore).toBe(2);
    expect(planned.hmacs - hmacsBefore).toBe(0);
  });

  it("made-up keys from many clients, each within its limit, are read only within the process's budget; keys that exist are always read", async () => {
    const { key: before } = await newOrder();
    const nowMs = Date.now();
    // The made-up keys at one moment, so the budget does not refill while they are sent.
    const at = async (credential: string, now = nowMs) =>
      outcome(async () => authorizeKey(db.client, { credential, clientIp: freshIp(), pepper: keys.keyPepper, nowMs: now }));
    expect(await at(generateApiKey())).toBe("invalid_api_key"); // read: the filter starts loading
    await vi.waitFor(() => expect(knownKeysReady()).toBe(true));
    db.state.reads = 0;
    const hmacsBefore = planned.hmacs;
    const answers: Record<string, number> = {};
    for (let i = 0; i < UNCHECKED_READS_BURST * 3; i++) {
      const answer = await at(generateApiKey());
      answers[answer] = (answers[answer] ?? 0) + 1;
    }
    // Read within the budget (and the filter's rare false positives): 401. Past it, not read: 503
    // with Retry-After, since it could be a key this instance has not heard of yet.
    expect(db.state.reads).toBeGreaterThanOrEqual(UNCHECKED_READS_BURST);
    expect(db.state.reads).toBeLessThan(UNCHECKED_READS_BURST + 10);
    expect(answers).toEqual({ invalid_api_key: db.state.reads, service_unavailable: UNCHECKED_READS_BURST * 3 - db.state.reads });
    // Past the budget, no key ends as they do (short of a one-in-millions chance): not even an HMAC.
    expect(planned.hmacs - hmacsBefore).toBe(db.state.reads);
    // With the budget spent: a key that was there before the filter loaded, and one created since
    // (its ending not known yet: it goes the filter's way, HMAC first).
    clearKeyCache();
    expect(await at(before)).toBe("ok");
    const created = (await newOrder()).key;
    const later = Date.now();
    while ((await at(generateApiKey(), later)) !== "service_unavailable"); // the budget, refilled meanwhile, spent again
    const readsBefore = db.state.reads;
    expect(await at(created, later)).toBe("ok");
    expect(db.state.reads - readsBefore).toBe(1);
  });

  it("a key invalidated by the bus (another instance created it) is no longer remembered as unknown", async () => {
    const ip = freshIp();
    const key = generateApiKey();
    expect(await outcome(check(key, ip))).toBe("invalid_api_key");
    planned.keys.push(key);
    await newOrder();
    // As if created by another instance: this one still remembers the miss until the bus tells it.
    const hmac = hmacLookup(key, keys.keyPepper);
    clearKeyCache({ broadcast: false });
    expect(await outcome(check(key, ip))).toBe("ok");
    invalidateKey(hmac, { broadcast: false });
    expect(getCachedKey(hmac)).toBeUndefined();
  });
});

describeWithRedis("unknown keys across instances", () => {
  const prefix = uniquePrefix("unknown-keys");
  const channel = `${prefix}:invalidate`;
  const clients: Redis[] = [];
  let t: TestDatabase;
  const busSlot = processSingleton<{ current?: InvalidationBus }>("cacheBus.invalidationBus", () => ({}));
  const buses: InvalidationBus[] = [];

  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    await seed(t.db.prisma, { gatehouseSecret: secret }, { demo: false });
    for (let i = 0; i < 4; i++) clients.push(testClient(`unknown-keys-${i}`));
  });
  afterEach(() => {
    clearKeyCache({ broadcast: false });
    clearUnknownKeyBlocks();
    setKeyRateLimiter(undefined);
  });
  afterAll(async () => {
    delete busSlot.current;
    await Promise.all(buses.map((b) => b.stop()));
    await deleteKeys(clients[0]!, prefix);
    await Promise.all(clients.map(closeClient));
    await t?.drop();
  });

  it("one budget of unknown keys per client for all instances", async () => {
    const ip = freshIp();
    const [a, b] = [new KeyRateLimiter({ redis: clients[0]!, prefix }), new KeyRateLimiter({ redis: clients[1]!, prefix })];
    const half = Math.floor(UNKNOWN_KEY_LIMIT.points / 2);
    const check = async () => outcome(async () => authorizeKey(t.db.prisma, { credential: generateApiKey(), clientIp: ip, pepper: keys.keyPepper }));
    setKeyRateLimiter(a);
    for (let i = 0; i < half; i++) expect(await check()).toBe("invalid_api_key");
    // Instance B: its own limiter connection, no block of its own yet.
    setKeyRateLimiter(b);
    clearUnknownKeyBlocks();
    for (let i = half; i < UNKNOWN_KEY_LIMIT.points; i++) expect(await check()).toBe("invalid_api_key");
    expect(await check()).toBe("rate_limit_exceeded");
    setKeyRateLimiter(a);
    clearUnknownKeyBlocks();
    expect(await check()).toBe("rate_limit_exceeded");
  });

  it("a new key's HMAC reaches the other instances over the cache bus, which forget their miss", async () => {
    // This process publishes as instance A; instance B listens on its own connection and applies
    // what it hears as server.ts does.
    busSlot.current = new InvalidationBus({
      publisher: clients[2]!,
      subscriber: testClient("unknown-keys-a-sub"),
      channel,
      instanceId: "a",
      logger: recordingLogger(),
    });
    const heard: string[] = [];
    const b = new InvalidationBus({ publisher: clients[2]!, subscriber: clients[3]!, channel, instanceId: "b", logger: recordingLogger() });
    buses.push(b);
    await b.start({ key: (hmac) => void heard.push(hmac) });
    const key = generateApiKey();
    const hmac = hmacLookup(key, keys.keyPepper);
    planned.keys.push(key);
    await createOrder(t.db.prisma, { email: "bus@example.com", planName: "Starter 30", source: "CLI", delivery: "handout", actor: { label: "cli" }, keys });
    await vi.waitFor(() => expect(heard).toContain(hmac), { timeout: 1000 });
  });
});
