import { createServer } from "node:net";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRedisClient } from "@/lib/redis";
import { closeClient, connectedTestClient, deleteKeys, describeWithRedis, recordingLogger, testClient, uniquePrefix } from "@/lib/redis/redis-test-support";
import type { UtcPeriod } from "@/lib/billing/period";
import {
  DuplicateReservationError,
  MemorySpendStore,
  RedisSpendStore,
  SpendStoreUnavailableError,
  type Reservation,
  type ReserveInput,
  type ReserveResult,
  type SpendStore,
} from "./spend";

const M = 1_000_000n; // one dollar in micro-dollars
let seq = 0;
const rid = (label = "req") => `${label}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

function input(overrides: Partial<ReserveInput> & { orderId: string }): ReserveInput {
  return {
    requestId: rid(),
    keyId: `key-${overrides.orderId}`,
    estimateMicros: M,
    order: { hasCredit: true, balanceMicros: 20n * M },
    key: { limitMicros: null, period: "MONTH", spentInPeriodMicros: 0n },
    ...overrides,
  };
}

function ok(result: ReserveResult): Reservation {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}`);
  return result.reservation;
}

/** A set of "instances" sharing one budget: one memory store, or Redis stores on separate connections. */
interface Fleet {
  stores: SpendStore[];
}

/** The behaviour every store shares. `fleet()` gives fresh stores for each test. */
function spendStoreContract(name: string, fleet: () => Fleet) {
  describe(name, () => {
    it("200 concurrent reservations where exactly 20 fit: 20 succeed, the balance ends at zero, never below", async () => {
      const { stores } = fleet();
      const orderId = rid("order");
      const balance = 20n * M;
      const estimate = balance / 20n;
      let loads = 0;
      const loadBalance = async () => {
        loads += 1;
        await new Promise((r) => setTimeout(r, 5));
        return balance;
      };
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          stores[i % stores.length]!.reserve(input({ orderId, estimateMicros: estimate, order: { hasCredit: true, balanceMicros: loadBalance } })),
        ),
      );
      const granted = results.filter((r) => r.ok);
      const refused = results.filter((r) => !r.ok);
      expect(granted).toHaveLength(20);
      expect(refused).toHaveLength(180);
      for (const r of refused) expect(r).toMatchObject({ ok: false, code: "billing_shortfall", balanceMicros: balance, availableMicros: 0n });
      // The database was read once per store at most (single-flight seeding), not per request.
      expect(loads).toBeGreaterThanOrEqual(1);
      expect(loads).toBeLessThanOrEqual(stores.length);

      const observer = stores[stores.length - 1]!;
      expect(await observer.snapshot({ orderId })).toMatchObject({ order: { balanceMicros: balance, reservedMicros: balance } });

      // Settle all 20 concurrently while watching: the balance never goes below zero.
      const seen: bigint[] = [];
      let settling = true;
      const watch = (async () => {
        while (settling) {
          const s = await observer.snapshot({ orderId });
          seen.push(s.order!.balanceMicros, s.order!.balanceMicros - s.order!.reservedMicros);
          await new Promise((r) => setImmediate(r));
        }
      })();
      await Promise.all(granted.map((r, i) => stores[i % stores.length]!.settle(ok(r), estimate)));
      settling = false;
      await watch;
      expect(seen.every((v) => v >= 0n)).toBe(true);
      expect(await observer.snapshot({ orderId })).toMatchObject({ order: { balanceMicros: 0n, reservedMicros: 0n } });

      const after = await stores[0]!.reserve(input({ orderId, estimateMicros: 1n }));
      expect(after).toMatchObject({ ok: false, code: "billing_shortfall", balanceMicros: 0n });
    });

    it("monthly key limit: refuses past the limit with the reset time, and resets with the month (injected clock)", async () => {
      const { stores } = fleet();
      const [a, b] = [stores[0]!, stores[stores.length - 1]!];
      const orderId = rid("order");
      const keyId = rid("key");
      const november = new Date("2026-11-15T10:00:00Z");
      const monthsRead: string[] = [];
      const spent = async (month: UtcPeriod) => {
        monthsRead.push(month.id);
        return month.id === "2026-11" ? 2n * M : 0n;
      };
      const reserve = (store: SpendStore, now: Date, estimateMicros = M) =>
        store.reserve(
          input({
            orderId,
            keyId,
            estimateMicros,
            now,
            order: { hasCredit: false, balanceMicros: 0n },
            key: { limitMicros: 5n * M, period: "MONTH", spentInPeriodMicros: spent },
          }),
        );

      // $2 already spent this month (from the database): three $1 requests fit under $5.
      const first = await Promise.all([reserve(a, november), reserve(b, november), reserve(a, november), reserve(b, november)]);
      expect(first.filter((r) => r.ok)).toHaveLength(3);
      const refusal = first.find((r) => !r.ok);
      expect(refusal).toEqual({
        ok: false,
        code: "api_key_quota_exceeded",
        resetsAt: new Date("2026-12-01T00:00:00.000Z"),
        period: "MONTH",
        limitMicros: 5n * M,
        spentMicros: 2n * M,
        reservedMicros: 3n * M,
      });
      // Settling one cheaper frees room for exactly the difference.
      const [g0, g1, g2] = first.filter((r) => r.ok).map(ok);
      await a.settle(g0!, M / 2n, { now: november });
      const g3 = ok(await reserve(b, november, M / 2n));
      expect(await reserve(a, november, 1n)).toMatchObject({ ok: false, code: "api_key_quota_exceeded" });
      await b.settle(g1!, M, { now: november });
      await a.settle(g3, M / 2n, { now: november });
      // Spent $4; g2 ($1) is still out but has expired by the end of the month (its TTL), so it no
      // longer counts. One microsecond before the month ends it is still November: $1 fits, $1 + 1µ not.
      const lastMoment = new Date("2026-11-30T23:59:59.999Z");
      expect(await reserve(a, lastMoment, M + 1n)).toMatchObject({
        ok: false,
        code: "api_key_quota_exceeded",
        spentMicros: 4n * M,
        resetsAt: new Date("2026-12-01T00:00:00Z"),
      });

      // The new month starts from the database's figure for December (nothing yet).
      const december = new Date("2026-12-01T00:00:00Z");
      const fresh = await reserve(b, december, 5n * M);
      expect(fresh).toMatchObject({ ok: true, reservation: { period: "2026-12" } });
      expect(monthsRead).toContain("2026-12");
      expect(await reserve(a, december, 1n)).toMatchObject({ ok: false, code: "api_key_quota_exceeded", resetsAt: new Date("2027-01-01T00:00:00Z") });

      // A November request settled in December is charged to November, not December.
      await b.settle(g2!, M, { now: december });
      expect((await a.snapshot({ orderId, keyId, now: november })).key).toEqual({ period: "2026-11", spentMicros: 5n * M, reservedMicros: 0n });
      expect((await a.snapshot({ orderId, keyId, now: december })).key).toEqual({ period: "2026-12", spentMicros: 0n, reservedMicros: 5n * M });
    });

    it("daily and weekly key limits reset exactly at 00:00 UTC and on Monday 00:00 UTC (injected clock)", async () => {
      const { stores } = fleet();
      const [a, b] = [stores[0]!, stores[stores.length - 1]!];
      const orderId = rid("order");
      const reserve = (store: SpendStore, keyId: string, period: "DAY" | "WEEK", now: Date) =>
        store.reserve(
          input({
            orderId,
            keyId,
            estimateMicros: M,
            now,
            order: { hasCredit: false, balanceMicros: 0n },
            key: { limitMicros: 2n * M, period, spentInPeriodMicros: async (p: UtcPeriod) => (p.id === "2026-12-05" || p.id === "W2026-11-30" ? 2n * M : 0n) },
          }),
        );
      // Saturday 2026-12-05: $2 of $2 spent today, so the last millisecond of the day is refused…
      const daily = rid("key");
      expect(await reserve(a, daily, "DAY", new Date("2026-12-05T23:59:59.999Z"))).toEqual({
        ok: false,
        code: "api_key_quota_exceeded",
        period: "DAY",
        resetsAt: new Date("2026-12-06T00:00:00.000Z"),
        limitMicros: 2n * M,
        spentMicros: 2n * M,
        reservedMicros: 0n,
      });
      // …and the first millisecond of the next day is a new period.
      expect(await reserve(b, daily, "DAY", new Date("2026-12-06T00:00:00.000Z"))).toMatchObject({ ok: true, reservation: { period: "2026-12-06" } });
      // The week of Monday 11-30 ends at Sunday's end: refused then, allowed on Monday 12-07.
      const weekly = rid("key");
      expect(await reserve(a, weekly, "WEEK", new Date("2026-12-06T23:59:59.999Z"))).toMatchObject({
        ok: false,
        period: "WEEK",
        resetsAt: new Date("2026-12-07T00:00:00.000Z"),
      });
      expect(await reserve(b, weekly, "WEEK", new Date("2026-12-07T00:00:00.000Z"))).toMatchObject({ ok: true, reservation: { period: "W2026-12-07" } });
      expect((await a.snapshot({ orderId, keyId: weekly, period: "WEEK", now: new Date("2026-12-08T00:00:00Z") })).key).toEqual({
        period: "W2026-12-07",
        spentMicros: 0n,
        reservedMicros: M,
      });
    });

    it("checks the key's month before the order's balance", async () => {
      const { stores } = fleet();
      const orderId = rid("order");
      const result = await stores[0]!.reserve(
        input({
          orderId,
          estimateMicros: 10n * M,
          order: { hasCredit: true, balanceMicros: M },
          key: { limitMicros: M, period: "MONTH", spentInPeriodMicros: 0n },
        }),
      );
      expect(result).toMatchObject({ ok: false, code: "api_key_quota_exceeded" });
    });

    it("settle below the estimate gives the rest back; above it, the overage is charged in full", async () => {
      const { stores } = fleet();
      const store = stores[0]!;
      const orderId = rid("order");
      const order = { hasCredit: true, balanceMicros: 10n * M };
      const r1 = ok(await store.reserve(input({ orderId, estimateMicros: 4n * M, order })));
      expect((await store.snapshot({ orderId })).order).toEqual({ balanceMicros: 10n * M, reservedMicros: 4n * M });
      await store.settle(r1, M);
      expect((await store.snapshot({ orderId })).order).toEqual({ balanceMicros: 9n * M, reservedMicros: 0n });

      // The model wrote more than estimated: the real cost is charged, taking the balance below zero
      // by at most that overage; then nothing more is let through.
      const r2 = ok(await store.reserve(input({ orderId, estimateMicros: 9n * M, order })));
      await store.settle(r2, 11n * M);
      expect((await store.snapshot({ orderId })).order).toEqual({ balanceMicros: -2n * M, reservedMicros: 0n });
      expect(await store.reserve(input({ orderId, estimateMicros: 0n, order }))).toMatchObject({
        ok: false,
        code: "billing_shortfall",
        balanceMicros: -2n * M,
      });
    });

    it("settle and release are idempotent; release charges nothing", async () => {
      const { stores } = fleet();
      const [a, b] = [stores[0]!, stores[stores.length - 1]!];
      const orderId = rid("order");
      const r1 = ok(await a.reserve(input({ orderId, estimateMicros: 3n * M })));
      await a.settle(r1, 2n * M);
      await b.settle(r1, 2n * M);
      await a.release(r1);
      const r2 = ok(await b.reserve(input({ orderId, estimateMicros: 3n * M })));
      await b.release(r2);
      await a.release(r2);
      expect((await a.snapshot({ orderId })).order).toEqual({ balanceMicros: 18n * M, reservedMicros: 0n });
    });

    it("a plan without credit has no balance check; a key without a limit no month check", async () => {
      const { stores } = fleet();
      const orderId = rid("order");
      let loads = 0;
      const loader = async () => {
        loads += 1;
        return 0n;
      };
      const result = await stores[0]!.reserve(
        input({
          orderId,
          estimateMicros: 1_000_000n * M,
          order: { hasCredit: false, balanceMicros: loader },
          key: { limitMicros: null, period: "MONTH", spentInPeriodMicros: loader },
        }),
      );
      const reservation = ok(result);
      expect(reservation).toMatchObject({ tracksOrder: false, tracksKey: false });
      await stores[0]!.settle(reservation, 5n * M);
      expect(loads).toBe(0);
      expect(await stores[0]!.snapshot({ orderId, keyId: reservation.keyId })).toEqual({ order: null, key: null });
    });

    it("a reservation whose settle never comes expires and gives its amount back", async () => {
      const { stores } = fleet();
      const [a, b] = [stores[0]!, stores[stores.length - 1]!];
      const orderId = rid("order");
      const t0 = new Date("2026-05-10T12:00:00Z");
      const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
      const lost = ok(await a.reserve(input({ orderId, estimateMicros: 20n * M, now: t0 })));
      expect(await b.reserve(input({ orderId, now: at(14) }))).toMatchObject({ ok: false, code: "billing_shortfall", availableMicros: 0n });
      const later = ok(await b.reserve(input({ orderId, estimateMicros: 5n * M, now: at(16) })));
      expect((await a.snapshot({ orderId })).order).toEqual({ balanceMicros: 20n * M, reservedMicros: 5n * M });
      // A settle that comes after all (a very long stream) still charges the real cost, and does not
      // give back what it no longer holds.
      await a.settle(lost, 2n * M, { now: at(17) });
      expect((await a.snapshot({ orderId })).order).toEqual({ balanceMicros: 18n * M, reservedMicros: 5n * M });
      await b.settle(later, 5n * M, { now: at(17) });
      expect((await a.snapshot({ orderId })).order).toEqual({ balanceMicros: 13n * M, reservedMicros: 0n });
    });

    it("adjustBalance applies a delta to a held balance and seeds one that is not held (a stale read loses)", async () => {
      const { stores } = fleet();
      const [a, b] = [stores[0]!, stores[stores.length - 1]!];
      const held = rid("order");
      ok(await a.reserve(input({ orderId: held, estimateMicros: M })));
      await b.adjustBalance({ orderId: held, deltaMicros: 5n * M, balanceAfterMicros: 999n * M });
      expect((await a.snapshot({ orderId: held })).order).toEqual({ balanceMicros: 25n * M, reservedMicros: M });
      await b.adjustBalance({ orderId: held, deltaMicros: -30n * M, balanceAfterMicros: 999n * M });
      expect(await a.reserve(input({ orderId: held, estimateMicros: 0n }))).toMatchObject({ ok: false, code: "billing_shortfall", balanceMicros: -5n * M });

      // Not held yet: a reserve read the database ($20) before an admin added $5 and committed; the
      // adjustment seeds the store with the total read back after the commit ($25), and the reserve's
      // older figure is ignored.
      const cold = rid("order");
      await b.adjustBalance({ orderId: cold, deltaMicros: 5n * M, balanceAfterMicros: 25n * M });
      ok(await a.reserve(input({ orderId: cold, estimateMicros: 25n * M, order: { hasCredit: true, balanceMicros: 20n * M } })));
      expect((await b.snapshot({ orderId: cold })).order).toEqual({ balanceMicros: 25n * M, reservedMicros: 25n * M });
    });

    it("invalidateOrder re-seeds from the database without letting older reservations disturb the new state", async () => {
      const { stores } = fleet();
      const [a, b] = [stores[0]!, stores[stores.length - 1]!];
      const orderId = rid("order");
      let dbBalance = 20n * M;
      const order = { hasCredit: true, balanceMicros: async () => dbBalance };
      const before = ok(await a.reserve(input({ orderId, estimateMicros: 4n * M, order })));
      dbBalance = 50n * M;
      await b.invalidateOrder(orderId);
      expect((await a.snapshot({ orderId })).order).toBeNull();
      const afterDrop = ok(await b.reserve(input({ orderId, estimateMicros: 3n * M, order })));
      expect((await a.snapshot({ orderId })).order).toEqual({ balanceMicros: 50n * M, reservedMicros: 3n * M });
      await a.settle(before, 4n * M);
      expect((await a.snapshot({ orderId })).order).toEqual({ balanceMicros: 46n * M, reservedMicros: 3n * M });
      await b.settle(afterDrop, M);
      expect((await a.snapshot({ orderId })).order).toEqual({ balanceMicros: 45n * M, reservedMicros: 0n });

      // invalidateKey forgets the key's month the same way.
      const keyId = rid("key");
      let dbSpent = 0n;
      const key = { limitMicros: 10n * M, period: "MONTH" as const, spentInPeriodMicros: async () => dbSpent };
      ok(await a.reserve(input({ orderId, keyId, estimateMicros: M, order, key })));
      dbSpent = 7n * M;
      await b.invalidateKey({ orderId, keyId });
      expect(await a.reserve(input({ orderId, keyId, estimateMicros: 4n * M, order, key }))).toMatchObject({
        ok: false,
        code: "api_key_quota_exceeded",
        spentMicros: 7n * M,
      });
    });

    it("refuses a second reservation under the same request id", async () => {
      const { stores } = fleet();
      const orderId = rid("order");
      const first = input({ orderId });
      ok(await stores[0]!.reserve(first));
      await expect(stores[stores.length - 1]!.reserve({ ...first })).rejects.toBeInstanceOf(DuplicateReservationError);
    });

    it("rejects amounts that cannot be exact", async () => {
      const { stores } = fleet();
      await expect(stores[0]!.reserve(input({ orderId: rid("order"), estimateMicros: -1n }))).rejects.toThrow(RangeError);
      await expect(stores[0]!.reserve(input({ orderId: rid("order"), estimateMicros: 2n ** 60n }))).rejects.toThrow(RangeError);
      await expect(stores[0]!.reserve(input({ orderId: "a|b" }))).rejects.toThrow(TypeError);
    });
  });
}

spendStoreContract("MemorySpendStore", () => ({ stores: [new MemorySpendStore()] }));

describeWithRedis("RedisSpendStore", () => {
  const prefix = uniquePrefix("spend");
  const clients: Redis[] = [];
  let admin: Redis;

  beforeAll(async () => {
    admin = await connectedTestClient("spend-admin");
    for (let i = 0; i < 2; i++) clients.push(await connectedTestClient(`spend-instance-${i}`));
  });
  afterAll(async () => {
    await deleteKeys(admin, prefix);
    await Promise.all([admin, ...clients].map(closeClient));
  });

  spendStoreContract("one instance", () => ({ stores: [new RedisSpendStore({ client: clients[0]!, prefix })] }));
  spendStoreContract("two instances on separate connections", () => ({
    stores: clients.map((client) => new RedisSpendStore({ client, prefix })),
  }));

  it("leaves no keys behind without a TTL", async () => {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, found] = await admin.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      keys.push(...found);
    } while (cursor !== "0");
    expect(keys.length).toBeGreaterThan(0);
    const ttls = await Promise.all(keys.map(async (k) => [k, await admin.pttl(k)] as const));
    expect(ttls.filter(([, t]) => t <= 0).map(([k, t]) => `${k} ${t}`)).toEqual([]);
  });

  it("keeps a key's period state until its period ends (and a reservation TTL), not longer", async () => {
    const store = new RedisSpendStore({ client: clients[0]!, prefix });
    const orderId = rid("order");
    const keyId = rid("key");
    const now = new Date();
    const key = { limitMicros: 5n * M, period: "DAY" as const, spentInPeriodMicros: 0n };
    ok(await store.reserve(input({ orderId, keyId, now, order: { hasCredit: false, balanceMicros: 0n }, key })));
    const dayEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    const ttl = await admin.pttl(`${prefix}:{${orderId}}:k:${keyId}:${now.toISOString().slice(0, 10)}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(dayEnd - now.getTime() + 15 * 60_000);
  });

  it("keeps a settle that could not reach Redis and applies it once Redis is back", async () => {
    const client = testClient("spend-flaky");
    const store = new RedisSpendStore({ client, prefix, logger: recordingLogger() });
    try {
      const orderId = rid("order");
      const reservation = ok(await store.reserve(input({ orderId, estimateMicros: 5n * M })));
      const ended = new Promise((resolve) => client.once("end", resolve));
      client.disconnect();
      await ended;
      await store.settle(reservation, 3n * M);
      expect(store.pendingSettles).toBe(1);
      await client.connect();
      await store.retryPending();
      expect(store.pendingSettles).toBe(0);
      expect((await store.snapshot({ orderId })).order).toEqual({ balanceMicros: 17n * M, reservedMicros: 0n });
      await store.settle(reservation, 3n * M); // a repeat charges nothing
      expect((await store.snapshot({ orderId })).order).toEqual({ balanceMicros: 17n * M, reservedMicros: 0n });
    } finally {
      await store.close();
      await closeClient(client);
    }
  });
});

describe("RedisSpendStore with Redis down", () => {
  let port: number;
  let client: Redis | undefined;

  beforeAll(async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => {
    client?.disconnect();
    client = undefined;
  });

  it("fails closed within a second: SpendStoreUnavailableError, never ok, logged", async () => {
    const logger = recordingLogger();
    client = createRedisClient(`redis://127.0.0.1:${port}`, { logger });
    const store = new RedisSpendStore({ client, prefix: "gh-test:down", logger });
    for (const attempt of [1, 2]) {
      const started = performance.now();
      const result = store.reserve(input({ orderId: `order-down-${attempt}`, estimateMicros: 1n }));
      await expect(result).rejects.toBeInstanceOf(SpendStoreUnavailableError);
      expect(performance.now() - started).toBeLessThan(1000);
    }
    expect(logger.lines.some((l) => l.level === "error" && /spend store unavailable/.test(l.msg ?? ""))).toBe(true);
    // A plan without credit and a key without a limit need no store at all.
    const free = await store.reserve(input({ orderId: "order-free", order: { hasCredit: false, balanceMicros: 0n } }));
    expect(free.ok).toBe(true);
    // Settling while down does not throw: it waits for Redis.
    await store.settle({ ...ok(free), tracksOrder: true }, M);
    expect(store.pendingSettles).toBe(1);
    await store.close();
  });
});

describe("MemorySpendStore markers", () => {
  it("ignores a repeated settle of a reservation and keeps no marker that outlives it", async () => {
    const store = new MemorySpendStore();
    const order = { hasCredit: true, balanceMicros: 10_000_000n };
    const key = { limitMicros: null, period: "MONTH" as const, spentInPeriodMicros: 0n };
    const r = await store.reserve({ requestId: "req-marker", orderId: "order-marker", keyId: "key-marker", estimateMicros: 1_000_000n, order, key });
    if (!r.ok) throw new Error("refused");
    await store.settle(r.reservation, 1_000_000n);
    await store.settle(r.reservation, 1_000_000n); // a repeat: nothing
    await store.release(r.reservation);
    expect((await store.snapshot({ orderId: "order-marker" })).order).toEqual({ balanceMicros: 9_000_000n, reservedMicros: 0n });
    // The marker is on the reservation itself: the store's own maps hold nothing for it.
    const held = (store as unknown as { held: Map<string, Map<string, unknown>> }).held.get("order-marker");
    expect(held?.size).toBe(0);
  });
});
