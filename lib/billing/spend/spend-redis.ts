import "server-only";
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { ensureRedisReady, isReplyError, LuaScript, RedisUnavailableError, type RedisLogger } from "@/lib/redis";
import { logger as appLogger } from "@/lib/server/logger";
import { errorSummary, ThrottledLog } from "@/lib/server/throttled-log";
import { utcPeriod, type SpendPeriod, type UtcPeriod } from "@/lib/billing/period";
import {
  checkMicros,
  checkReserveInput,
  DEFAULT_RESERVATION_TTL_MS,
  DuplicateReservationError,
  reservationFor,
  SeedLoader,
  SpendStoreUnavailableError,
  type Reservation,
  type ReserveInput,
  type ReserveResult,
  type SpendSnapshot,
  type SpendStore,
} from "./spend-types";

/*
 * Storage layout. Every key of an order carries the order id as a hash tag ({...}), so one
 * script only touches keys of one slot (Redis Cluster-safe):
 *
 *   P:{orderId}:o                 hash  bal, res, ep      the order's balance, reserved total, seeding id
 *   P:{orderId}:k:<keyId>:<period> hash spent, res, ep     a key's spend and reserved total in one period
 *                                                          of its limit (see UtcPeriod.id: 2026-12-05,
 *                                                          W2026-11-30, 2026-12); expires a reservation
 *                                                          TTL after the period ends
 *   P:{orderId}:r                 hash  requestId → "R|amount|orderEp|keyPeriodKey|keyEp" or "S"
 *   P:{orderId}:rx                zset  requestId scored by expiry (ms)
 *
 * "R" holds a reservation; "S" marks a settled or released one, kept until its expiry so a repeated
 * settle (a retry after a timeout whose first attempt did run) charges nothing. Amounts are
 * integers passed and stored as strings; Lua compares them as doubles, exact below 2^53.
 */

const PRELUDE = `
local o, k, r, rx = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
-- Gives back what a record holds, to the state it was made against (not a later seeding).
local function unhold(rec)
  local status, amt, oEp, kKey, kEp = string.match(rec, '^(%a)|(%d+)|([^|]*)|([^|]*)|([^|]*)$')
  if status ~= 'R' or amt == '0' then return end
  if oEp ~= '' and redis.call('HGET', o, 'ep') == oEp then redis.call('HINCRBY', o, 'res', '-' .. amt) end
  if kKey ~= '' and redis.call('HGET', kKey, 'ep') == kEp then redis.call('HINCRBY', kKey, 'res', '-' .. amt) end
end
`;

// ARGV: 1 requestId, 2 estimate, 3 tracksOrder, 4 tracksKey, 5 limit, 6 nowMs, 7 expiresAtMs,
//       8 order seed ('' = none), 9 key seed ('' = none), 10 order TTL ms, 11 key-period TTL ms
const RESERVE = new LuaScript(`${PRELUDE}
local id, est = ARGV[1], ARGV[2]
local tracksOrder, tracksKey = ARGV[3] == '1', ARGV[4] == '1'

local expired = redis.call('ZRANGEBYSCORE', rx, '-inf', ARGV[6], 'LIMIT', 0, 100)
for _, eid in ipairs(expired) do
  local rec = redis.call('HGET', r, eid)
  if rec then unhold(rec) end
  redis.call('HDEL', r, eid)
  redis.call('ZREM', rx, eid)
end

if redis.call('HEXISTS', r, id) == 1 then return {'dup'} end

local needO, needK = '0', '0'
if tracksOrder and redis.call('HEXISTS', o, 'bal') == 0 then
  if ARGV[8] == '' then needO = '1' else
    redis.call('HSET', o, 'bal', ARGV[8], 'res', '0', 'ep', id)
    redis.call('PEXPIRE', o, ARGV[10])
  end
end
if tracksKey and redis.call('HEXISTS', k, 'spent') == 0 then
  if ARGV[9] == '' then needK = '1' else
    redis.call('HSET', k, 'spent', ARGV[9], 'res', '0', 'ep', id)
    redis.call('PEXPIRE', k, ARGV[11])
  end
end
if needO == '1' or needK == '1' then return {'seed', needO, needK} end

if tracksKey then
  local v = redis.call('HMGET', k, 'spent', 'res')
  if tonumber(v[1]) + tonumber(v[2]) + tonumber(est) > tonumber(ARGV[5]) then return {'key', v[1], v[2]} end
end
if tracksOrder then
  local v = redis.call('HMGET', o, 'bal', 'res')
  if tonumber(v[1]) - tonumber(v[2]) < tonumber(est) then return {'order', v[1], v[2]} end
end

local oEp, kKey, kEp = '', '', ''
if tracksOrder then
  if est ~= '0' then redis.call('HINCRBY', o, 'res', est) end
  oEp = redis.call('HGET', o, 'ep')
  redis.call('PEXPIRE', o, ARGV[10])
end
if tracksKey then
  if est ~= '0' then redis.call('HINCRBY', k, 'res', est) end
  kKey = k
  kEp = redis.call('HGET', k, 'ep')
  redis.call('PEXPIRE', k, ARGV[11])
end
redis.call('HSET', r, id, 'R|' .. est .. '|' .. oEp .. '|' .. kKey .. '|' .. kEp)
redis.call('ZADD', rx, ARGV[7], id)
redis.call('PEXPIRE', r, ARGV[10])
redis.call('PEXPIRE', rx, ARGV[10])
return {'ok'}
`);

// ARGV: 1 requestId, 2 actual, 3 tracksOrder, 4 tracksKey, 5 marker expiresAtMs, 6 order TTL ms
const SETTLE = new LuaScript(`${PRELUDE}
local id, actual = ARGV[1], ARGV[2]
local rec = redis.call('HGET', r, id)
if rec then
  if rec == 'S' then return 'repeat' end
  unhold(rec)
end
if actual ~= '0' then
  if ARGV[3] == '1' and redis.call('HEXISTS', o, 'bal') == 1 then redis.call('HINCRBY', o, 'bal', '-' .. actual) end
  if ARGV[4] == '1' and redis.call('HEXISTS', k, 'spent') == 1 then redis.call('HINCRBY', k, 'spent', actual) end
end
redis.call('HSET', r, id, 'S')
redis.call('ZADD', rx, ARGV[5], id)
redis.call('PEXPIRE', r, ARGV[6])
redis.call('PEXPIRE', rx, ARGV[6])
return 'settled'
`);

// KEYS: 1 order state. ARGV: 1 delta, 2 balance after, 3 seeding id, 4 order TTL ms
const ADJUST = new LuaScript(`
local o = KEYS[1]
if redis.call('HEXISTS', o, 'bal') == 1 then
  if ARGV[1] ~= '0' then redis.call('HINCRBY', o, 'bal', ARGV[1]) end
  redis.call('PEXPIRE', o, ARGV[4])
  return 'adjusted'
end
redis.call('HSET', o, 'bal', ARGV[2], 'res', '0', 'ep', ARGV[3])
redis.call('PEXPIRE', o, ARGV[4])
return 'seeded'
`);

export interface RedisSpendStoreOptions {
  client: Redis;
  /** Key prefix; tests use their own. Default `gh:spend`. */
  prefix?: string;
  reservationTtlMs?: number;
  /** How long an order's state outlives its last use. Default 35 days. */
  orderStateTtlMs?: number;
  /** How long a settle that could not reach Redis is retried before it is given up (logged). */
  settleRetryMs?: number;
  logger?: RedisLogger;
}

interface PendingSettle {
  reservation: Reservation;
  actualMicros: bigint;
  now: Date;
  firstTry: number;
}

const DAY_MS = 86_400_000;
const MAX_PENDING_SETTLES = 100_000;
const RETRY_INTERVAL_MS = 1000;

/** False when the command was refused before it was sent (not connected); true when it may have run. */
function mayHaveRun(cause: unknown): boolean {
  if (cause instanceof RedisUnavailableError) return false;
  return !(cause instanceof Error && cause.message.includes("enableOfflineQueue"));
}

/**
 * Spend limits shared by every instance through Redis: each reserve and settle is one Lua script,
 * so check and reserve are atomic across instances. Fails closed: when Redis cannot be reached,
 * reserve() throws SpendStoreUnavailableError (within about a second: see redis.ts) and nothing
 * is reserved or spent unchecked.
 */
export class RedisSpendStore implements SpendStore {
  readonly kind = "redis" as const;
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly orderTtlMs: number;
  private readonly settleRetryMs: number;
  private readonly seeds = new SeedLoader();
  private readonly unavailableLog: ThrottledLog;
  private readonly log: RedisLogger;
  private pending: PendingSettle[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private retrying = false;

  constructor(options: RedisSpendStoreOptions) {
    this.client = options.client;
    this.prefix = options.prefix ?? "gh:spend";
    if (/[{}|\s]/.test(this.prefix)) throw new TypeError('the prefix may not contain braces, "|" or spaces');
    this.ttlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    this.orderTtlMs = options.orderStateTtlMs ?? 35 * DAY_MS;
    this.settleRetryMs = options.settleRetryMs ?? 60 * 60_000;
    this.log = options.logger ?? appLogger;
    this.unavailableLog = new ThrottledLog(this.log, "error");
  }

  /** Settles waiting for Redis to come back. */
  get pendingSettles(): number {
    return this.pending.length;
  }

  private keys(orderId: string, keyId: string, period: string): [string, string, string, string] {
    const base = `${this.prefix}:{${orderId}}`;
    return [`${base}:o`, `${base}:k:${keyId}:${period}`, `${base}:r`, `${base}:rx`];
  }

  /** Runs a command; any failure other than an error reply means Redis is unavailable. */
  private async call<T>(operation: string, fn: () => Promise<T>, context: Record<string, unknown>): Promise<T> {
    try {
      await ensureRedisReady(this.client);
      return await fn();
    } catch (err) {
      if (isReplyError(err) || err instanceof DuplicateReservationError) throw err;
      this.unavailableLog.log({ operation, ...context, err: errorSummary(err) }, "spend store unavailable: refusing spend");
      throw new SpendStoreUnavailableError(`The spend store (Redis) is unavailable during ${operation}.`, { cause: err });
    }
  }

  async reserve(input: ReserveInput): Promise<ReserveResult> {
    checkReserveInput(input);
    const now = input.now ?? new Date();
    const period = utcPeriod(input.key.period, now);
    const reservation = reservationFor(input, period.id);
    if (!reservation.tracksOrder && !reservation.tracksKey) return { ok: true, reservation };

    const context = { requestId: input.requestId, orderId: input.orderId, keyId: input.keyId };
    const seeding = new Set<string>();
    try {
      return await this.reserveScript(input, reservation, now, period, seeding, context);
    } finally {
      this.seeds.release(seeding);
    }
  }

  private async reserveScript(
    input: ReserveInput,
    reservation: Reservation,
    now: Date,
    period: UtcPeriod,
    seeding: Set<string>,
    context: Record<string, unknown>,
  ): Promise<ReserveResult> {
    const keys = this.keys(input.orderId, input.keyId, period.id);
    // A key's period state lives until its period ends and a reservation TTL more (for the settles
    // of the period's last requests); nothing reads it after that.
    const keyTtlMs = period.end.getTime() - now.getTime() + this.ttlMs;
    let orderSeed = typeof input.order.balanceMicros === "bigint" ? input.order.balanceMicros : null;
    let keySeed = typeof input.key.spentInPeriodMicros === "bigint" ? input.key.spentInPeriodMicros : null;
    for (let attempt = 0; ; attempt++) {
      let reply: string[];
      try {
        reply = (await this.call(
          "reserve",
          () =>
            RESERVE.run(this.client, keys, [
              input.requestId,
              input.estimateMicros.toString(),
              reservation.tracksOrder ? "1" : "0",
              reservation.tracksKey ? "1" : "0",
              (input.key.limitMicros ?? 0n).toString(),
              now.getTime(),
              now.getTime() + this.ttlMs,
              orderSeed === null ? "" : orderSeed.toString(),
              keySeed === null ? "" : keySeed.toString(),
              this.orderTtlMs,
              keyTtlMs,
            ]),
          context,
        )) as string[];
      } catch (err) {
        // A timeout may hide a script that did run: give the reservation back when Redis can be
        // reached again (a release of nothing is a no-op; otherwise it would expire anyway).
        if (err instanceof SpendStoreUnavailableError && mayHaveRun(err.cause)) void this.release(reservation, { now }).catch(() => {});
        throw err;
      }
      switch (reply[0]) {
        case "ok":
          return { ok: true, reservation };
        case "dup":
          throw new DuplicateReservationError(input.requestId);
        case "key": {
          const spent = BigInt(reply[1] ?? "0");
          const reserved = BigInt(reply[2] ?? "0");
          return {
            ok: false,
            code: "api_key_quota_exceeded",
            resetsAt: period.end,
            period: period.kind,
            limitMicros: input.key.limitMicros ?? 0n,
            spentMicros: spent,
            reservedMicros: reserved,
          };
        }
        case "order": {
          const balance = BigInt(reply[1] ?? "0");
          const reserved = BigInt(reply[2] ?? "0");
          return { ok: false, code: "billing_shortfall", balanceMicros: balance, reservedMicros: reserved, availableMicros: balance - reserved };
        }
        case "seed": {
          if (attempt >= 5) throw new Error("spend state was dropped repeatedly while it was being seeded");
          const [balance, spent] = await Promise.all([
            reply[1] === "1" ? this.seeds.orderBalance(input.orderId, input.order.balanceMicros, seeding) : null,
            reply[2] === "1" ? this.seeds.keyPeriodSpend(input.keyId, period, input.key.spentInPeriodMicros, seeding) : null,
          ]);
          if (balance !== null) {
            checkMicros("seeded balance", balance, { signed: true });
            orderSeed = balance;
          }
          if (spent !== null) {
            checkMicros("seeded period spend", spent, { signed: true });
            keySeed = spent;
          }
          continue;
        }
        default:
          throw new Error(`unexpected reply from the reserve script: ${JSON.stringify(reply)}`);
      }
    }
  }

  async settle(reservation: Reservation, actualMicros: bigint, options: { now?: Date } = {}): Promise<void> {
    checkMicros("actualMicros", actualMicros);
    if (!reservation.tracksOrder && !reservation.tracksKey) return;
    const now = options.now ?? new Date();
    try {
      await this.runSettle(reservation, actualMicros, now);
    } catch (err) {
      if (!(err instanceof SpendStoreUnavailableError)) throw err;
      this.enqueue({ reservation, actualMicros, now, firstTry: Date.now() });
    }
  }

  release(reservation: Reservation, options: { now?: Date } = {}): Promise<void> {
    return this.settle(reservation, 0n, options);
  }

  private async runSettle(reservation: Reservation, actualMicros: bigint, now: Date): Promise<void> {
    const keys = this.keys(reservation.orderId, reservation.keyId, reservation.period);
    await this.call(
      "settle",
      () =>
        SETTLE.run(this.client, keys, [
          reservation.requestId,
          actualMicros.toString(),
          reservation.tracksOrder ? "1" : "0",
          reservation.tracksKey ? "1" : "0",
          now.getTime() + this.ttlMs,
          this.orderTtlMs,
        ]),
      { requestId: reservation.requestId, orderId: reservation.orderId },
    );
  }

  private enqueue(item: PendingSettle): void {
    if (this.pending.length >= MAX_PENDING_SETTLES) {
      const dropped = this.pending.shift();
      this.log.error(
        { requestId: dropped?.reservation.requestId, orderId: dropped?.reservation.orderId },
        "too many settles waiting for Redis; dropped the oldest",
      );
    }
    this.pending.push(item);
    this.retryTimer ??= setInterval(() => void this.retryPending(), RETRY_INTERVAL_MS);
    this.retryTimer.unref?.();
  }

  /** Retries queued settles in order; stops at the first that still cannot reach Redis. */
  async retryPending(): Promise<void> {
    if (this.retrying) return;
    this.retrying = true;
    try {
      while (this.pending.length > 0) {
        const item = this.pending[0]!;
        if (Date.now() - item.firstTry > this.settleRetryMs) {
          this.pending.shift();
          this.log.error(
            { requestId: item.reservation.requestId, orderId: item.reservation.orderId, actualMicros: item.actualMicros.toString() },
            "gave up applying a settle to the spend store; the database still records the cost",
          );
          continue;
        }
        try {
          await this.runSettle(item.reservation, item.actualMicros, item.now);
          this.pending.shift();
        } catch {
          return;
        }
      }
      if (this.retryTimer) clearInterval(this.retryTimer);
      this.retryTimer = undefined;
    } finally {
      this.retrying = false;
    }
  }

  async adjustBalance(input: { orderId: string; deltaMicros: bigint; balanceAfterMicros: bigint }): Promise<void> {
    checkMicros("deltaMicros", input.deltaMicros, { signed: true });
    checkMicros("balanceAfterMicros", input.balanceAfterMicros, { signed: true });
    const [orderKey] = this.keys(input.orderId, "-", "-");
    await this.call(
      "adjustBalance",
      () =>
        ADJUST.run(
          this.client,
          [orderKey],
          [input.deltaMicros.toString(), input.balanceAfterMicros.toString(), `adj-${randomBytes(8).toString("hex")}`, this.orderTtlMs],
        ),
      { orderId: input.orderId },
    );
  }

  async invalidateOrder(orderId: string): Promise<void> {
    const [orderKey] = this.keys(orderId, "-", "-");
    await this.call("invalidateOrder", () => this.client.del(orderKey), { orderId });
  }

  async invalidateKey(input: { orderId: string; keyId: string; period?: SpendPeriod; now?: Date }): Promise<void> {
    const [, keyPeriod] = this.keys(input.orderId, input.keyId, utcPeriod(input.period ?? "MONTH", input.now ?? new Date()).id);
    await this.call("invalidateKey", () => this.client.del(keyPeriod), { orderId: input.orderId, keyId: input.keyId });
  }

  async snapshot(input: { orderId: string; keyId?: string; period?: SpendPeriod; now?: Date }): Promise<SpendSnapshot> {
    const period = utcPeriod(input.period ?? "MONTH", input.now ?? new Date()).id;
    const [orderKey, keyPeriodKey] = this.keys(input.orderId, input.keyId ?? "-", period);
    const [order, key] = await this.call(
      "snapshot",
      () => Promise.all([this.client.hmget(orderKey, "bal", "res"), input.keyId === undefined ? null : this.client.hmget(keyPeriodKey, "spent", "res")]),
      { orderId: input.orderId },
    );
    return {
      order: order[0] == null ? null : { balanceMicros: BigInt(order[0]), reservedMicros: BigInt(order[1] ?? "0") },
      key: key == null || key[0] == null ? null : { period, spentMicros: BigInt(key[0]), reservedMicros: BigInt(key[1] ?? "0") },
    };
  }

  async close(): Promise<void> {
    if (this.pending.length > 0) await this.retryPending();
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    if (this.pending.length > 0) this.log.error({ pending: this.pending.length }, "closing with settles that never reached Redis");
  }
}
