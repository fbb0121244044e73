import "server-only";
import { getRedis } from "@/lib/redis";
import { logger } from "@/lib/server/logger";
import { onShutdown } from "@/lib/server/shutdown";
import { MemorySpendStore } from "./spend-memory";
import { RedisSpendStore } from "./spend-redis";
import type { SpendStore } from "./spend-types";

/**
 * Spend limits: a key's spend limit per UTC period (a day, a week from Monday 00:00 UTC, or a
 * calendar month; see lib/billing/period.ts) and its order's balance, checked and reserved before
 * a request is forwarded and settled to the real cost afterwards.
 *
 * Reserve. Before forwarding, the gateway reserves the most the request can cost (an upper bound
 * of its input tokens + every output token it allows, priced with the plan's multiplier; see
 * lib/gateway/admit.ts). In one atomic step the store checks the key's current period
 * (spent + reserved + estimate ≤ limit → else `api_key_quota_exceeded`, with the reset time) and
 * the order (balance − reserved ≥ estimate → else `billing_shortfall`) and adds the estimate to
 * both reserved totals. Concurrent requests therefore can never take either below zero: the
 * second of two requests that do not both fit is refused. A plan without credit has no balance
 * check, a key without a limit no period check; with neither, reserve() touches nothing. The
 * key's state is per period (its id is part of the storage key), so a limit resets exactly at the
 * period's end: the first reserve after it starts from the new period's figure.
 *
 * Settle. After the response, settle() removes the reservation and charges the real cost: a
 * cheaper request gives the rest back at once; a dearer one (only possible when a request sets no
 * output limit and the model writes more than the default the reservation assumed) is charged in
 * full, so the balance can end below zero by at most that overage. The database is written by the usage writer, batched,
 * as before; the store does not write it.
 *
 * Seeding, and why nothing is counted twice. The store holds the balance and the period's spend
 * once seeded, and from then on its figures are the ones checked; it never re-reads them from the
 * database on its own. The first reserve for an order (or for a key in a period) seeds it from the
 * database: `Order.balanceMicros`, the running total of the ledger, and the period's rollups. A
 * cost is applied to the store at settle, before the usage writer queues it for the database, so
 * at any moment the store = database − costs settled but not yet written; a seed read at the first
 * reserve has no such costs outstanding, so store and database agree from the start. Credit
 * changes (admin adjustments, credit granted or ended) are committed to the ledger first and then
 * passed to adjustBalance() as a delta, with the running total read back in the same transaction:
 * a store that holds the order adds the delta, a store that does not seeds from that total, and a
 * reserve that read the database earlier finds the order seeded and ignores its older value. In
 * Redis the seeding is part of the reserve script (set only when absent), so of many instances
 * seeding at once, one wins and the others use its figures.
 *
 * Invalidation. invalidateOrder()/invalidateKey() drop the store's state so the next reserve
 * re-seeds from the database; costs settled in the last flush interval (< 1 s) are then missed
 * by the new seed, so they are for repairs, not for routine changes. Each seeding gets an id and a
 * reservation remembers the one it was made against, so a reservation from before a drop never
 * decrements the reserved total of the new state.
 *
 * Expiry. A reservation whose settle never comes (a crash, a dropped promise) is released after
 * its TTL (15 minutes by default): reserve() purges expired reservations of the order before it
 * checks (in Redis inside the same script, oldest first via a sorted set), giving back only what
 * they held. A settle that arrives after the expiry still charges the real cost. Settled requests
 * leave a marker, so a repeated settle charges nothing: in Redis by request id until the same TTL
 * (its settles are retried), in process on the reservation object (see spend-memory.ts).
 *
 * Failing closed. The Redis store refuses to guess: when Redis is down or does not answer within
 * the command timeout, reserve() throws SpendStoreUnavailableError (logged, at most one line every
 * few seconds) and the gateway refuses the request. A settle that cannot reach Redis is kept in
 * memory and retried every second (idempotent, see above); the database records the cost anyway.
 *
 * In process (MemorySpendStore) for one instance; in Redis (RedisSpendStore) when `REDIS_URL` is
 * set, shared by every instance.
 */

export { MemorySpendStore, type MemorySpendStoreOptions } from "./spend-memory";
export { RedisSpendStore, type RedisSpendStoreOptions } from "./spend-redis";
export {
  DEFAULT_RESERVATION_TTL_MS,
  DuplicateReservationError,
  SpendStoreUnavailableError,
  type PeriodSeedValue,
  type Reservation,
  type ReserveInput,
  type ReserveResult,
  type SeedValue,
  type SpendSnapshot,
  type SpendStore,
} from "./spend-types";
import { processSingleton } from "@/lib/server/process-singleton";

const STORE = processSingleton<{ current?: SpendStore }>("limits.spendStore", () => ({}));

/**
 * The process's spend store: in Redis when `REDIS_URL` is set, in process otherwise. One per
 * process (on globalThis: the server and Next's bundles share it), closed by a shutdown hook.
 */
export function getSpendStore(): SpendStore {
  if (!STORE.current) {
    const redis = getRedis();
    const store: SpendStore = redis ? new RedisSpendStore({ client: redis }) : new MemorySpendStore();
    logger.info({ store: store.kind }, "spend limits ready");
    onShutdown("spend store", () => store.close(), { order: 800, timeoutMs: 3000 });
    STORE.current = store;
  }
  return STORE.current;
}

/** Replaces the process's store (tests); undefined makes the next getSpendStore() choose again. */
export function setSpendStore(store: SpendStore | undefined): void {
  if (store) STORE.current = store;
  else delete STORE.current;
}
