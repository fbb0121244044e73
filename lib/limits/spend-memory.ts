import { utcMonth, type UtcMonth } from "./month";
import {
  checkMicros,
  checkReserveInput,
  DEFAULT_RESERVATION_TTL_MS,
  DuplicateReservationError,
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

interface Held {
  /** R: holds `amount`; S: settled or released (kept until it expires, so a repeat is a no-op). */
  status: "R" | "S";
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
 * between reading and writing the state, so concurrent requests in this process see each
 * other's reservations (JavaScript runs one at a time). Only the seeding reads are asynchronous,
 * and they happen before the critical section, which then re-checks.
 *
 * Memory: one entry per order and per key-month used since start, plus the reservations of the
 * last `reservationTtlMs`.
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

  constructor(options: MemorySpendStoreOptions = {}) {
    this.ttlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  }

  async reserve(input: ReserveInput): Promise<ReserveResult> {
    checkReserveInput(input);
    const now = input.now ?? new Date();
    const month = utcMonth(now);
    const reservation: Reservation = {
      requestId: input.requestId,
      orderId: input.orderId,
      keyId: input.keyId,
      estimateMicros: input.estimateMicros,
      month: month.id,
      tracksOrder: input.order.hasCredit,
      tracksKey: input.key.monthlyLimitMicros !== null,
    };
    if (!reservation.tracksOrder && !reservation.tracksKey) return { ok: true, reservation };
    const kmId = keyMonthId(input.keyId, month.id);
    const seeding = new Set<string>();
    try {
      return await this.reserveSeeded(input, reservation, now, month, kmId, seeding);
    } finally {
      this.seeds.release(seeding);
    }
  }

  private async reserveSeeded(input: ReserveInput, reservation: Reservation, now: Date, month: UtcMonth, kmId: string, seeding: Set<string>): Promise<ReserveResult> {
    for (let attempt = 0; ; attempt++) {
      const needOrder = reservation.tracksOrder && !this.orders.has(input.orderId);
      const needKey = reservation.tracksKey && !this.keyMonths.has(kmId);
      if (!needOrder && !needKey) break;
      if (attempt >= 5) throw new Error("spend state was dropped repeatedly while it was being seeded");
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

    // Critical section: no await from here on.
    const nowMs = now.getTime();
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
      status: "R",
      amount: estimate,
      orderEpoch: order?.epoch ?? null,
      keyMonth: keyMonth ? kmId : null,
      keyEpoch: keyMonth?.epoch ?? null,
      expiresAt: nowMs + this.ttlMs,
    });
    return { ok: true, reservation };
  }

  async settle(reservation: Reservation, actualMicros: bigint, options: { now?: Date } = {}): Promise<void> {
    checkMicros("actualMicros", actualMicros);
    if (!reservation.tracksOrder && !reservation.tracksKey) return;
    const nowMs = (options.now ?? new Date()).getTime();
    const held = this.heldOf(reservation.orderId);
    const entry = held.get(reservation.requestId);
    if (entry?.status === "S") return;
    if (entry) this.unhold(reservation.orderId, entry);
    if (actualMicros > 0n) {
      const order = reservation.tracksOrder ? this.orders.get(reservation.orderId) : undefined;
      if (order) order.balance -= actualMicros;
      const keyMonth = reservation.tracksKey ? this.keyMonths.get(keyMonthId(reservation.keyId, reservation.month)) : undefined;
      if (keyMonth) keyMonth.spent += actualMicros;
    }
    // Re-inserted at the end, keeping the map in expiry order.
    held.delete(reservation.requestId);
    held.set(reservation.requestId, { status: "S", amount: 0n, orderEpoch: null, keyMonth: null, keyEpoch: null, expiresAt: nowMs + this.ttlMs });
  }

  release(reservation: Reservation, options: { now?: Date } = {}): Promise<void> {
    return this.settle(reservation, 0n, options);
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
    if (entry.status !== "R") return;
    const order = this.orders.get(orderId);
    if (order && entry.orderEpoch === order.epoch) order.reserved -= entry.amount;
    const keyMonth = entry.keyMonth === null ? undefined : this.keyMonths.get(entry.keyMonth);
    if (keyMonth && entry.keyEpoch === keyMonth.epoch) keyMonth.reserved -= entry.amount;
  }

  /** Releases expired reservations and forgets expired settle markers, oldest first. */
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
