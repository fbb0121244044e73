import { utcMonth, type UtcMonth } from "@/lib/billing/period";
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

interface KeyMonthState {
  spent: bigint;
  reserved: bigint;
  epoch: number;
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
  keyMonth: string | null;
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
 * Memory: one entry per order and per key-month used since start, and the reservations not yet
 * settled (at most `reservationTtlMs` old).
 */
export class MemorySpendStore implements SpendStore {
  readonly kind = "memory" as const;
  private readonly orders = new Map<string, OrderState>();
  private readonly keyMonths = new Map<string, KeyMonthState>();
  /** Per order, by request id, in insertion order (= expiry order: the TTL is constant). */
  private readonly held = new Map<string, Map<string, Held>>();

  private readonly seeds = new SeedLoader();
  private readonly ttlMs: number;
  private epochs = 0;
  private month: UtcMonth | undefined;

  constructor(options: MemorySpendStoreOptions = {}) {
    this.ttlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  }

  /**
   * Answers at once (no promise) when the order and key-month are already seeded, which is every
   * request but an order's first; errors always come back as a rejected promise.
   */
  reserve(input: ReserveInput): ReserveResult | Promise<ReserveResult> {
    let reservation: Reservation;
    let nowMs: number;
    let month: UtcMonth;
    let kmId: string;
    try {
      checkReserveInput(input);
      nowMs = input.now?.getTime() ?? Date.now();
      month = this.monthOf(nowMs);
      reservation = reservationFor(input, month.id);
      if (!reservation.tracksOrder && !reservation.tracksKey) return { ok: true, reservation };
      kmId = keyMonthId(input.keyId, month.id);
      if (!this.needsSeeding(reservation, kmId)) return this.reserveSeeded(input, reservation, nowMs, month, kmId);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.seedThenReserve(input, reservation, nowMs, month, kmId);
  }

  private needsSeeding(reservation: Reservation, kmId: string): boolean {
    return (reservation.tracksOrder && !this.orders.has(reservation.orderId)) || (reservation.tracksKey && !this.keyMonths.has(kmId));
  }

  /** The month of `nowMs`, kept between calls: it changes once a month. */
  private monthOf(nowMs: number): UtcMonth {
    const cached = this.month;
    if (cached && nowMs >= cached.start.getTime() && nowMs < cached.end.getTime()) return cached;
    this.month = utcMonth(new Date(nowMs));
    return this.month;
  }

  private async seedThenReserve(input: ReserveInput, reservation: Reservation, nowMs: number, month: UtcMonth, kmId: string): Promise<ReserveResult> {
    const seeding = new Set<string>();
    try {
      for (let attempt = 0; this.needsSeeding(reservation, kmId); attempt++) {
        if (attempt >= 5) throw new Error("spend state was dropped repeatedly while it was being seeded");
        const needOrder = reservation.tracksOrder && !this.orders.has(input.orderId);
        const needKey = reservation.tracksKey && !this.keyMonths.has(kmId);
        const [balance, spent] = await Promise.all([
          needOrder ? this.seeds.orderBalance(input.orderId, input.order.balanceMicros, seeding) : null,
          needKey ? this.seeds.keyMonthSpend(input.keyId, month, input.key.spentThisMonthMicros, seeding) : null,
        ]);
        // First seed wins: a concurrent request (or adjustBalance) may have seeded meanwhile.
        if (balance !== null && !this.orders.has(input.orderId)) {
          checkMicros("seeded balance", balance, { signed: true });
          this.orders.set(input.orderId, { balance, reserved: 0n, epoch: ++this.epochs });
        }
        if (spent !== null && !this.keyMonths.has(kmId)) {
          checkMicros("seeded month spend", spent, { signed: true });
          this.keyMonths.set(kmId, { spent, reserved: 0n, epoch: ++this.epochs });
        }
      }
      return this.reserveSeeded(input, reservation, nowMs, month, kmId);
    } finally {
      this.seeds.release(seeding);
    }
  }

  /** The check-and-reserve itself: synchronous, so nothing can interleave. */
  private reserveSeeded(input: ReserveInput, reservation: Reservation, nowMs: number, month: UtcMonth, kmId: string): ReserveResult {
    this.purge(input.orderId, nowMs);
    const held = this.heldOf(input.orderId);
    if (held.has(input.requestId)) throw new DuplicateReservationError(input.requestId);
    const order = reservation.tracksOrder ? this.orders.get(input.orderId) : undefined;
    const keyMonth = reservation.tracksKey ? this.keyMonths.get(kmId) : undefined;
    const estimate = input.estimateMicros;
    if (keyMonth && input.key.monthlyLimitMicros !== null && keyMonth.spent + keyMonth.reserved + estimate > input.key.monthlyLimitMicros) {
      return {
        ok: false,
        code: "api_key_quota_exceeded",
        resetsAt: month.end,
        limitMicros: input.key.monthlyLimitMicros,
        spentMicros: keyMonth.spent,
        reservedMicros: keyMonth.reserved,
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
    if (keyMonth) keyMonth.reserved += estimate;
    held.set(input.requestId, {
      amount: estimate,
      orderEpoch: order?.epoch ?? null,
      keyMonth: keyMonth ? kmId : null,
      keyEpoch: keyMonth?.epoch ?? null,
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
      const keyMonth = reservation.tracksKey ? this.keyMonths.get(keyMonthId(reservation.keyId, reservation.month)) : undefined;
      if (keyMonth) keyMonth.spent += actualMicros;
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

  async invalidateKey(input: { orderId: string; keyId: string; now?: Date }): Promise<void> {
    this.keyMonths.delete(keyMonthId(input.keyId, utcMonth(input.now ?? new Date()).id));
  }

  async snapshot(input: { orderId: string; keyId?: string; now?: Date }): Promise<SpendSnapshot> {
    const order = this.orders.get(input.orderId);
    const month = utcMonth(input.now ?? new Date()).id;
    const keyMonth = input.keyId === undefined ? undefined : this.keyMonths.get(keyMonthId(input.keyId, month));
    return {
      order: order ? { balanceMicros: order.balance, reservedMicros: order.reserved } : null,
      key: keyMonth ? { month, spentMicros: keyMonth.spent, reservedMicros: keyMonth.reserved } : null,
    };
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
    const keyMonth = entry.keyMonth === null ? undefined : this.keyMonths.get(entry.keyMonth);
    if (keyMonth && entry.keyEpoch === keyMonth.epoch) keyMonth.reserved -= entry.amount;
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

function keyMonthId(keyId: string, month: string): string {
  return `${keyId}|${month}`;
}
