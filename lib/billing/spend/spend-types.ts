import type { SpendPeriod, UtcPeriod } from "@/lib/billing/period";

/**
 * The spend limits' contract, shared by the in-process and the Redis store. See spend.ts for the
 * design (seeding, reservations, settling, expiry, failing closed).
 */

/** A value read from the database, or a function that reads it (called only when needed). */
export type SeedValue = bigint | (() => Promise<bigint>);
/** The key's spend in its limit's current period, or a function that reads it for the given period. */
export type PeriodSeedValue = bigint | ((period: UtcPeriod) => Promise<bigint>);

export interface ReserveInput {
  /** The gateway's request id; one reservation per id. */
  requestId: string;
  orderId: string;
  keyId: string;
  /** What the request may cost at most: input tokens (counted or estimated) and max output × price. */
  estimateMicros: bigint;
  order: {
    /** False for plans without credit: no balance check and nothing tracked for the order. */
    hasCredit: boolean;
    /**
     * The order's balance as the database has it (`Order.balanceMicros`), or a reader. Used only to
     * seed a store that has no state for the order yet; afterwards the store's balance is the one
     * checked, kept current by settle() and adjustBalance().
     */
    balanceMicros: SeedValue;
  };
  key: {
    /** The key's spend limit per `period`; null means none (nothing tracked for the key). */
    limitMicros: bigint | null;
    /** The UTC period the limit covers (day, week from Monday, calendar month). */
    period: SpendPeriod;
    /** The key's spend in the current period in the database, or a reader; seeds like the balance. */
    spentInPeriodMicros: PeriodSeedValue;
  };
  /** The clock (tests inject one); decides the period and reservation expiry. */
  now?: Date;
}

/** What reserve() took: pass it to settle() or release(). */
export interface Reservation {
  readonly requestId: string;
  readonly orderId: string;
  readonly keyId: string;
  readonly estimateMicros: bigint;
  /** The UTC period charged (its id, see UtcPeriod): the key's period in which the request was reserved. */
  readonly period: string;
  /** Whether the order's balance is checked and charged (the plan has credit). */
  readonly tracksOrder: boolean;
  /** Whether the key's period is checked and charged (the key has a spend limit). */
  readonly tracksKey: boolean;
}

/** The reservation a reserve() of `input` in the period `period` (an id) makes (before any check). */
export function reservationFor(input: ReserveInput, period: string): Reservation {
  return {
    requestId: input.requestId,
    orderId: input.orderId,
    keyId: input.keyId,
    estimateMicros: input.estimateMicros,
    period,
    tracksOrder: input.order.hasCredit,
    tracksKey: input.key.limitMicros !== null,
  };
}

export type ReserveResult =
  | { ok: true; reservation: Reservation }
  | {
      ok: false;
      code: "billing_shortfall";
      /** The order's balance (settled spend deducted), as the buyer would see it. */
      balanceMicros: bigint;
      /** What other requests in flight have reserved. */
      reservedMicros: bigint;
      /** balance − reserved: what this request could have used. */
      availableMicros: bigint;
    }
  | {
      ok: false;
      code: "api_key_quota_exceeded";
      /** First instant of the next period (UTC): when the limit resets. */
      resetsAt: Date;
      period: SpendPeriod;
      limitMicros: bigint;
      spentMicros: bigint;
      reservedMicros: bigint;
    };

export interface SpendSnapshot {
  order: { balanceMicros: bigint; reservedMicros: bigint } | null;
  key: { period: string; spentMicros: bigint; reservedMicros: bigint } | null;
}

export interface SpendStore {
  readonly kind: "memory" | "redis";
  /**
   * Atomically checks the key's period (spent + reserved + estimate ≤ limit) and the order's balance
   * (balance − reserved ≥ estimate) and, when both pass, reserves the estimate against both.
   * Refusals are answers, not errors; an answer may come back at once (in process) or as a
   * promise, errors always as a rejected promise. Rejects with SpendStoreUnavailableError when the store cannot be
   * reached: never an `ok` it could not check.
   */
  reserve(input: ReserveInput): ReserveResult | Promise<ReserveResult>;
  /**
   * Releases the reservation and charges the real cost to the balance and the key's period (the database
   * write stays the usage writer's job). Idempotent per reservation: settling the same reservation
   * object again changes nothing (in Redis, any reservation with the same request id). A cost above the estimate is
   * charged in full. Does not throw when Redis is down: the settle is kept and retried.
   */
  settle(reservation: Reservation, actualMicros: bigint, options?: { now?: Date }): void | Promise<void>;
  /** Gives the reservation back without a charge (the request failed before any cost). */
  release(reservation: Reservation, options?: { now?: Date }): void | Promise<void>;
  /**
   * Applies a committed ledger change (admin adjustment, credit granted or ended) to the store's
   * balance: `deltaMicros` when the store holds the order, otherwise it seeds the order with
   * `balanceAfterMicros`, the running total read back in the same transaction as the change.
   */
  adjustBalance(input: { orderId: string; deltaMicros: bigint; balanceAfterMicros: bigint }): Promise<void>;
  /**
   * Forgets the order's balance so the next reserve re-reads the database. Prefer adjustBalance():
   * a cost settled but not yet written by the usage writer (within a flush, < 1 s) is missed.
   */
  invalidateOrder(orderId: string): Promise<void>;
  /**
   * Forgets the key's spend for the `period` (default MONTH) that contains `now`, so the next
   * reserve re-reads it: call it when a key gets a limit (or a period) it did not have (its spend
   * in that period was not tracked meanwhile).
   */
  invalidateKey(input: { orderId: string; keyId: string; period?: SpendPeriod; now?: Date }): Promise<void>;
  /** What the store holds (null: not seeded), the key's for `period` (default MONTH). For GET /v1/key, the console and tests. */
  snapshot(input: { orderId: string; keyId?: string; period?: SpendPeriod; now?: Date }): Promise<SpendSnapshot>;
  /** Stops timers; the Redis store tries its queued settles once more. Does not close the client. */
  close(): Promise<void>;
}

/** The store could not be reached: the request must be refused, never forwarded unchecked. */
export class SpendStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SpendStoreUnavailableError";
  }
}

/** reserve() was called twice with one request id (a bug in the caller). */
export class DuplicateReservationError extends Error {
  constructor(requestId: string) {
    super(`A reservation for request ${requestId} already exists.`);
    this.name = "DuplicateReservationError";
  }
}

/** Reservations whose settle never comes (a crash, a lost promise) are released after this. */
export const DEFAULT_RESERVATION_TTL_MS = 15 * 60_000;

const MAX_MICROS = BigInt(Number.MAX_SAFE_INTEGER);

function checkId(name: string, value: string): void {
  // `|` separates the fields of a stored reservation; braces would break Redis hash tags.
  if (typeof value !== "string" || value.length === 0 || value.length > 200 || /[|{}\s]/.test(value)) {
    throw new TypeError(`${name} must be a non-empty id without spaces, "|", "{" or "}"`);
  }
}

/** Amounts travel through Lua as doubles: integers up to 2^53 (≈ $9 billion) are exact. */
export function checkMicros(name: string, value: bigint, { signed = false } = {}): void {
  if (typeof value !== "bigint") throw new TypeError(`${name} must be a bigint`);
  const abs = value < 0n ? -value : value;
  if ((!signed && value < 0n) || abs > MAX_MICROS) throw new RangeError(`${name} is out of range: ${value}`);
}

export function checkReserveInput(input: ReserveInput): void {
  checkId("requestId", input.requestId);
  checkId("orderId", input.orderId);
  checkId("keyId", input.keyId);
  checkMicros("estimateMicros", input.estimateMicros);
  if (input.key.limitMicros !== null) checkMicros("limitMicros", input.key.limitMicros, { signed: true });
  if (input.key.period !== "DAY" && input.key.period !== "WEEK" && input.key.period !== "MONTH") throw new TypeError("period must be DAY, WEEK or MONTH");
}

/**
 * Shares seeding reads: while any reserve for an order (or key-period) is still seeding, another
 * reserve that finds the store cold joins the same database read instead of issuing its own. A
 * reserve holds the reads it joined until it has finished (release()), so a burst of requests on
 * a cold order reads the database once per instance.
 */
export class SeedLoader {
  private readonly inflight = new Map<string, { promise: Promise<bigint>; holders: number }>();

  private acquire(id: string, read: () => Promise<bigint>): { id: string; promise: Promise<bigint> } {
    let entry = this.inflight.get(id);
    if (!entry) {
      entry = { promise: read(), holders: 0 };
      this.inflight.set(id, entry);
    }
    entry.holders += 1;
    return { id, promise: entry.promise };
  }

  /** Lets go of reads joined by one reserve (call once it has finished, in `finally`). */
  release(ids: Iterable<string>): void {
    for (const id of ids) {
      const entry = this.inflight.get(id);
      if (entry && --entry.holders <= 0) this.inflight.delete(id);
    }
  }

  orderBalance(orderId: string, seed: SeedValue, held: Set<string>): Promise<bigint> {
    if (typeof seed === "bigint") return Promise.resolve(seed);
    const id = `o:${orderId}`;
    if (held.has(id)) return this.inflight.get(id)?.promise ?? seed();
    held.add(id);
    return this.acquire(id, seed).promise;
  }

  keyPeriodSpend(keyId: string, period: UtcPeriod, seed: PeriodSeedValue, held: Set<string>): Promise<bigint> {
    if (typeof seed === "bigint") return Promise.resolve(seed);
    const id = `k:${keyId}:${period.id}`;
    if (held.has(id)) return this.inflight.get(id)?.promise ?? seed(period);
    held.add(id);
    return this.acquire(id, () => seed(period)).promise;
  }
}
