import { utcPeriod, type SpendPeriod, type UtcPeriod } from "@/lib/billing/period";
import {
  checkMicros,
  checkReserveInput,
  DEFAULT_RESERVATION_TTL_MS,
  DuplicateReservationError,
  reservationFor,
  SeedLoader,
  type Reservation,
  type ReserveInput,
  type ReserveResult,
  type SpendSnapshot,
  type SpendStore,
} from "./spend-types";

interface OrderState {
  balance: bigint;
  reserved: bigint;
  /** Identifies this seeding: a reservation made against an earlier state must not touch it. */
  epoch: number;
}

interface KeyPeriodState {
  spent: bigint;
  reserved: bigint;
  epoch: number;
  /** End of the period (ms): the entry is dropped a reservation TTL later. */
  endsAt: number;
}

/**
 * Marks a reservation settled or released, on the reservation itself, so a repeat is a no-op: the
 * marker lives exactly as long as the caller keeps the reservation, with nothing to expire or sweep.
 * (The Redis store keeps markers by request id for the reservation TTL, as its settles are retried
 * from a queue; in process nothing retries, and a marker per request kept for minutes would be
 * most of the heap at a thousand requests a second.)
 */
const SETTLED = Symbol("settled");

interface Held {
  amount: bigint;
  orderEpoch: number | null;
  keyPeriod: string | null;
  keyEpoch: number | null;
  expiresAt: number;
}

export interface MemorySpendStoreOptions {
  reservationTtlMs?: number;
}

/**
 * Spend limits for one instance, in process. Every check-and-reserve runs without an `await`
 * between reading and writing the state (and, once the order is seeded, without a promise at all:
 * it is on every request's path), so concurrent requests in this process see each
 * other's reservations (JavaScript runs one at a time). Only the seeding reads are asynchronous,
 * and they happen before the critical section, which then re-checks.
 *
 * Memory: one entry per order and per key-period in use (a key's entry for a period that ended
 * more than a reservation TTL ago is dropped when its next period is seeded), and the reservations not yet
 * settled (at most `reservationTtlMs` old).
 */
export class MemorySpendStore implements SpendStore {
  readonly kind = "memory" as const;
  private readonly orders = new Map<string, OrderState>();
  private readonly keyPeriods = new Map<string, KeyPeriodState>();
  /** Per key, the ids of its key-period entries (to drop those of ended periods). */
  private readonly keyEntries = new Map<string, string[]>();
  /** Per order, by request id, in insertion order (= expiry order: the TTL is constant). */
  private readonly held = new Map<string, Map<string, Held>>();

  private readonly seeds = new SeedLoader();
  private readonly ttlMs: number;
  private epochs = 0;
  private readonly periods = new Map<SpendPeriod, UtcPeriod>();

  constructor(options: MemorySpendStoreOptions = {}) {
    this.ttlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  }

  /**
   * Answers at once (no promise) when the order and key-period are already seeded, which is every
   * request but an order's first; errors always come back as a rejected promise.
   */
  reserve(input: ReserveInput): ReserveResult | Promise<ReserveResult> {
    let reservation: Reservation;
    let nowMs: number;
    let period: UtcPeriod;
    let kpId: string;
    try {
      checkReserveInput(input);
      nowMs = input.now?.getTime() ?? Date.now();
      period = this.periodOf(input.key.period, nowMs);
      reservation = reservationFor(input, period.id);
      if (!reservation.tracksOrder && !reservation.tracksKey) return { ok: true, reservation };
      kpId = keyPeriodId(input.keyId, period.id);
      if (!this.needsSeeding(reservation, kpId)) return this.reserveSeeded(input, reservation, nowMs, period, kpId);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.seedThenReserve(input, reservation, nowMs, period, kpId);
  }

  private needsSeeding(reservation: Reservation, kpId: string): boolean {
    return (reservation.tracksOrder && !this.orders.has(reservation.orderId)) || (reservation.tracksKey && !this.keyPeriods.has(kpId));
  }

  /** The period of `kind` that contains `nowMs`, kept between calls: it changes once a day at most. */
  private periodOf(kind: SpendPeriod, nowMs: number): UtcPeriod {
    const cached = this.periods.get(kind);
    if (cached && nowMs >= cached.start.getTime() && nowMs < cached.end.getTime()) return cached;
    const period = utcPeriod(kind, new Date(nowMs));
    this.periods.set(kind, period);
    return period;
  }

  private async seedThenReserve(input: ReserveInput, reservation: Reservation, nowMs: number, period: UtcPeriod, kpId: string): Promise<ReserveResult> {
    const seeding = new Set<string>();
    try {
      for (let attempt = 0; this.needsSeeding(reservation, kpId); attempt++) {
        if (attempt >= 5) throw new Error("spend state was dropped repeatedly while it was being seeded");
        const needOrder = reservation.tracksOrder && !this.orders.has(input.orderId);
        const needKey = reservation.tracksKey && !this.keyPeriods.has(kpId);
        const [balance, spent] = await Promise.all([
          needOrder ? this.seeds.orderBalance(input.orderId, input.order.balanceMicros, seeding) : null,
          needKey ? this.seeds.keyPeriodSpend(input.keyId, period, input.key.spentInPeriodMicros, seeding) : null,
        ]);
        // First seed wins: a concurrent request (or adjustBalance) may have seeded meanwhile.
        if (balance !== null && !this.orders.has(input.orderId)) {
          checkMicros("seeded balance", balance, { signed: true });
          this.orders.set(input.orderId, { balance, reserved: 0n, epoch: ++this.epochs });
        }
        if (spent !== null && !this.keyPeriods.has(kpId)) {
          checkMicros("seeded period spend", spent, { signed: true });
          this.setKeyPeriod(input.keyId, kpId, { spent, reserved: 0n, epoch: ++this.epochs, endsAt: period.end.getTime() }, nowMs);
        }
      }
      return this.reserveSeeded(input, reservation, nowMs, period, kpId);
    } finally {
      this.seeds.release(seeding);
    }
  }

  /** The check-and-reserve itself: synchronous, so nothing can interleave. */
  private reserveSeeded(input: ReserveInput, reservation: Reservation, nowMs: number, period: UtcPeriod, kpId: string): ReserveResult {
    this.purge(input.orderId, nowMs);
    const held = this.heldOf(input.orderId);
    if (held.has(input.requestId)) throw new DuplicateReservationError(input.requestId);
    const order = reservation.tracksOrder ? this.orders.get(input.orderId) : undefined;
    const keyPeriod = reservation.tracksKey ? this.keyPeriods.get(kpId) : undefined;
    const estimate = input.estimateMicros;
    if (keyPeriod && input.key.limitMicros !== null && keyPeriod.spent + keyPeriod.reserved + estimate > input.key.limitMicros) {
      return {
        ok: false,
        code: "api_key_quota_exceeded",
        resetsAt: period.end,
        period: period.kind,
        limitMicros: input.key.limitMicros,
        spentMicros: keyPeriod.spent,
        reservedMicros: keyPeriod.reserved,
      };
    }
    if (order && order.balance - order.reserved < estimate) {
      return {
        ok: false,
        code: "billing_shortfall",
        balanceMicros: order.balance,
        reservedMicros: order.reserved,
        availableMicros: order.balance - order.reserved,
      };
    }
    if (order) order.reserved += estimate;
    if (keyPeriod) keyPeriod.reserved += estimate;
    held.set(input.requestId, {
      amount: estimate,
      orderEpoch: order?.epoch ?? null,
      keyPeriod: keyPeriod ? kpId : null,
      keyEpoch: keyPeriod?.epoch ?? null,
      expiresAt: nowMs + this.ttlMs,
    });
    return { ok: true, reservation };
  }

  /** Synchronous; errors come back as a rejected promise. */
  settle(reservation: Reservation, actualMicros: bigint): void | Promise<void> {
    try {
      this.settleNow(reservation, actualMicros);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private settleNow(reservation: Reservation, actualMicros: bigint): void {
    checkMicros("actualMicros", actualMicros);
    if (!reservation.tracksOrder && !reservation.tracksKey) return;
    const marked = reservation as Reservation & { [SETTLED]?: boolean };
    if (marked[SETTLED]) return;
    const held = this.held.get(reservation.orderId);
    const entry = held?.get(reservation.requestId);
    if (held && entry) {
      this.unhold(reservation.orderId, entry);
      held.delete(reservation.requestId);
    }
    if (actualMicros > 0n) {
      const order = reservation.tracksOrder ? this.orders.get(reservation.orderId) : undefined;
      if (order) order.balance -= actualMicros;
      const keyPeriod = reservation.tracksKey ? this.keyPeriods.get(keyPeriodId(reservation.keyId, reservation.period)) : undefined;
      if (keyPeriod) keyPeriod.spent += actualMicros;
    }
    marked[SETTLED] = true;
  }

  release(reservation: Reservation): void | Promise<void> {
    return this.settle(reservation, 0n);
  }

  async adjustBalance(input: { orderId: string; deltaMicros: bigint; balanceAfterMicros: bigint }): Promise<void> {
    checkMicros("deltaMicros", input.deltaMicros, { signed: true });
    checkMicros("balanceAfterMicros", input.balanceAfterMicros, { signed: true });
    const order = this.orders.get(input.orderId);
    if (order) order.balance += input.deltaMicros;
    else this.orders.set(input.orderId, { balance: input.balanceAfterMicros, reserved: 0n, epoch: ++this.epochs });
  }

  async invalidateOrder(orderId: string): Promise<void> {
    this.orders.delete(orderId);
  }

  async invalidateKey(input: { orderId: string; keyId: string; period?: SpendPeriod; now?: Date }): Promise<void> {
    const id = keyPeriodId(input.keyId, utcPeriod(input.period ?? "MONTH", input.now ?? new Date()).id);
    this.keyPeriods.delete(id);
  }

  async snapshot(input: { orderId: string; keyId?: string; period?: SpendPeriod; now?: Date }): Promise<SpendSnapshot> {
    const order = this.orders.get(input.orderId);
    const period = utcPeriod(input.period ?? "MONTH", input.now ?? new Date()).id;
    const keyPeriod = input.keyId === undefined ? undefined : this.keyPeriods.get(keyPeriodId(input.keyId, period));
    return {
      order: order ? { balanceMicros: order.balance, reservedMicros: order.reserved } : null,
      key: keyPeriod ? { period, spentMicros: keyPeriod.spent, reservedMicros: keyPeriod.reserved } : null,
    };
  }

  /**
   * Seeds a key's period, dropping the key's entries of periods that ended more than a
   * reservation TTL ago (no reservation of theirs is still held): a daily limit would otherwise
   * leave one entry per key per day. Like the Redis store's expiry, a settle that comes later
   * finds nothing to charge there; the database records the cost all the same.
   */
  private setKeyPeriod(keyId: string, kpId: string, state: KeyPeriodState, nowMs: number): void {
    const ids = (this.keyEntries.get(keyId) ?? []).filter((id) => {
      const entry = this.keyPeriods.get(id);
      if (!entry || id === kpId) return false;
      if (nowMs >= entry.endsAt + this.ttlMs) {
        this.keyPeriods.delete(id);
        return false;
      }
      return true;
    });
    this.keyPeriods.set(kpId, state);
    this.keyEntries.set(keyId, [...ids, kpId]);
  }

  async close(): Promise<void> {}

  private heldOf(orderId: string): Map<string, Held> {
    let held = this.held.get(orderId);
    if (!held) {
      held = new Map();
      this.held.set(orderId, held);
    }
    return held;
  }

  /** Gives back what an entry holds, to the state it was made against (not a later seeding). */
  private unhold(orderId: string, entry: Held): void {
    const order = this.orders.get(orderId);
    if (order && entry.orderEpoch === order.epoch) order.reserved -= entry.amount;
    const keyPeriod = entry.keyPeriod === null ? undefined : this.keyPeriods.get(entry.keyPeriod);
    if (keyPeriod && entry.keyEpoch === keyPeriod.epoch) keyPeriod.reserved -= entry.amount;
  }

  /** Releases expired reservations (never settled: a crash, a lost promise), oldest first. */
  private purge(orderId: string, nowMs: number): void {
    const held = this.held.get(orderId);
    if (!held) return;
    for (const [requestId, entry] of held) {
      if (entry.expiresAt > nowMs) break;
      this.unhold(orderId, entry);
      held.delete(requestId);
    }
  }
}

function keyPeriodId(keyId: string, period: string): string {
  return `${keyId}|${period}`;
}
