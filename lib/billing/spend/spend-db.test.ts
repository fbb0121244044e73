import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { deriveSecretKeys } from "@/lib/credentials";
import { flushUsage, recordUsage } from "@/lib/gateway/usage-writer";
import { createOrder } from "@/lib/orders";
import { closeClient, connectedTestClient, deleteKeys, redisUp, uniquePrefix } from "@/lib/redis/redis-test-support";
import { seed } from "@/lib/seed";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { usageRecord } from "@/test/usage-record";
import { utcMonth } from "@/lib/billing/period";
import { MemorySpendStore, RedisSpendStore, type SpendStore } from "./spend";
import { changeOrderBalance, ledgerBalance } from "@/lib/billing/ledger";
import { readKeyPeriodSpend, readOrderBalance } from "./spend-readers";

const secret = "d".repeat(40);
const keys = deriveSecretKeys(secret);
const M = 1_000_000n;

describeEachEngine("spend limits against the database", (engine) => {
  let t: TestDatabase;
  let redis: Redis | undefined;
  const prefix = uniquePrefix("spend-db");

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await seed(t.db.prisma, { gatehouseSecret: secret }, { demo: false });
    if (redisUp) redis = await connectedTestClient("spend-db");
  });
  afterAll(async () => {
    if (redis) {
      await deleteKeys(redis, prefix);
      await closeClient(redis);
    }
    await t?.drop();
  });

  const stores: [string, () => SpendStore][] = [
    ["memory", () => new MemorySpendStore()],
    ["redis", () => new RedisSpendStore({ client: redis!, prefix })],
  ];

  for (const [name, makeStore] of stores) {
    it.skipIf(name === "redis" && !redisUp)(`${name}: store, running total and ledger agree after reservations, settles and an adjustment`, async () => {
      const db = t.db.prisma;
      const created = await createOrder(db, {
        email: `spend-${name}-${Math.random().toString(36).slice(2)}@example.com`,
        planName: "Starter 30",
        source: "CLI",
        delivery: "handout",
        actor: { label: "cli" },
        keys,
      });
      const orderId = created.order.id;
      const keyId = created.apiKey.id;
      const credit = created.plan.creditMicros;
      expect(credit).toBeGreaterThan(0n);
      const store = makeStore();
      let reads = 0;
      const order = {
        hasCredit: true,
        balanceMicros: () => {
          reads += 1;
          return readOrderBalance(db, orderId);
        },
      };
      const key = {
        limitMicros: 1000n * M,
        period: "MONTH" as const,
        spentInPeriodMicros: (month: Parameters<typeof readKeyPeriodSpend>[2]) => readKeyPeriodSpend(db, keyId, month),
      };

      const estimate = credit / 10n;
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.reserve({ requestId: `req-${name}-${orderId}-${i}`, orderId, keyId, estimateMicros: estimate, order, key })),
      );
      const granted = results.flatMap((r) => (r.ok ? [r.reservation] : []));
      expect(granted).toHaveLength(10);
      expect(reads).toBe(1);

      let spent = 0n;
      for (const [i, reservation] of granted.entries()) {
        const actual = estimate - 1000n * BigInt(i + 1);
        spent += actual;
        // Settle first, then hand the record to the usage writer (the gateway's order).
        await store.settle(reservation, actual);
        recordUsage(
          () => t.db,
          usageRecord(
            { orderId, keyId, customerId: created.customerId },
            { requestId: reservation.requestId, model: "gpt-4o-mini", upstreamModel: "gpt-4o-mini", costMicros: actual, clientIp: null },
          ),
        );
      }
      await flushUsage({ all: true });
      const after = await changeOrderBalance(db, store, { orderId, amountMicros: 5n * M, kind: "ADJUSTMENT", note: "goodwill" });

      const expected = credit - spent + 5n * M;
      expect(after).toBe(expected);
      expect(await ledgerBalance(db, orderId)).toBe(expected);
      expect(await readOrderBalance(db, orderId)).toBe(expected);
      expect((await store.snapshot({ orderId, keyId })).order).toEqual({ balanceMicros: expected, reservedMicros: 0n });
      expect(await readKeyPeriodSpend(db, keyId, utcMonth(new Date()))).toBe(spent);
      expect((await store.snapshot({ orderId, keyId })).key).toMatchObject({ spentMicros: spent, reservedMicros: 0n });

      // A store that starts from the database (a restart, another process) sees the same figures.
      const fresh = new MemorySpendStore();
      await fresh.reserve({ requestId: `fresh-${orderId}`, orderId, keyId, estimateMicros: 0n, order, key });
      expect((await fresh.snapshot({ orderId, keyId })).order?.balanceMicros).toBe(expected);
      expect((await fresh.snapshot({ orderId, keyId })).key?.spentMicros).toBe(spent);

      // An adjustment on an order the store has never seen seeds it from the committed total.
      const other = await createOrder(db, {
        email: `spend-other-${Math.random().toString(36).slice(2)}@example.com`,
        planName: "Starter 30",
        source: "CLI",
        delivery: "handout",
        actor: { label: "cli" },
        keys,
      });
      const otherStore = makeStore();
      await changeOrderBalance(db, otherStore, { orderId: other.order.id, amountMicros: -3n * M, kind: "ADJUSTMENT" });
      expect((await otherStore.snapshot({ orderId: other.order.id })).order?.balanceMicros).toBe(other.plan.creditMicros - 3n * M);
      expect(await ledgerBalance(db, other.order.id)).toBe(other.plan.creditMicros - 3n * M);
      await store.close();
      await otherStore.close();
    });
  }
});
