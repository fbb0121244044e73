import "server-only";
import type { Redis } from "ioredis";
import { RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import { ensureRedisReady, getRedis, type RedisLogger } from "@/lib/redis";
import { logger as appLogger } from "@/lib/server/logger";
import { errorSummary, ThrottledLog } from "@/lib/server/throttled-log";
import { processSingleton } from "@/lib/server/process-singleton";

/**
 * The app's rate limits, one implementation for both uses:
 *  - per API key (the gateway, `check`): requests per minute and, when the plan (or an admin
 *    override) sets one, tokens per minute;
 *  - named rules (`consume`): so many attempts per window of the rule's own length, counted per
 *    key of the caller's choosing, e.g. sign-in links per address and per client IP.
 *
 * Windows. Fixed windows (rate-limiter-flexible's in Redis, the same rules in process): a key's
 * window opens with its first request and lasts the window length (60 s for an API key, the
 * rule's `durationSeconds` for a rule); the count resets when it ends. This is not a sliding
 * window: a client can use its whole budget at the end of one window and again at the start of
 * the next (at most twice the limit in any window length). `reset…` and `Retry-After` report when
 * the current window ends.
 *
 * Counting. One counter per key and kind (requests, tokens; a rule counts attempts as requests),
 * in Redis when `REDIS_URL` is set (one
 * atomic INCRBY per check, shared by every instance) or in process (a map, checked without a
 * promise: this is on every request's path). Limits are compared here, not
 * in the library (its `points` is set out of reach), so a key's limit can change at any time
 * without losing its count. A refused request takes nothing: whatever it added to either counter
 * (its request point, its tokens) is given back at once. Until then, for a moment, the counter
 * is over by that amount, which can only refuse, never admit, a concurrent request at the limit.
 *
 * Tokens. The check counts the request's estimate (input + max output tokens), capped at the tpm
 * so an oversized request can still run alone in a fresh window; settleTokens() then corrects the
 * count to the real usage (a reward when the request used less, a penalty when it used more). A
 * reward is dropped when the window that counted the estimate has already ended (its count went
 * with it) and never takes a counter below zero.
 *
 * Redis down. Availability over precision, for rate limits only: a Redis error falls back to
 * in-process counters (each instance then limits alone), logged as a warning at most every few
 * seconds. Rules do the same: during an outage a sign-in link limit holds per instance (the limit
 * times the number of instances, never unlimited) instead of refusing every sign-in. Money never
 * falls back: see lib/billing/spend.
 */

export interface RateLimitInput {
  keyId: string;
  /** Requests per minute (≥ 1). */
  rpm: number;
  /** Tokens per minute; null or undefined: no token limit. */
  tpm?: number | null;
  /** Tokens the request may use: input (counted or estimated) + max output tokens. */
  estimatedTokens?: number;
  /** The clock for the reset times reported (the windows themselves run on the real clock). */
  now?: Date;
}

/** A named limit counted per key, e.g. five sign-in links per address per 15 minutes. */
export interface RateLimitRule {
  /**
   * Names the counters: every check under one name shares them (across instances with Redis).
   * One name, one window length.
   */
  name: string;
  /** Attempts allowed per window (≥ 1). */
  points: number;
  /** Window length in seconds (a fixed window, opening with the key's first attempt). */
  durationSeconds: number;
}

/** What a check decided: for an API key's request (`check`) or an attempt under a rule (`consume`). */
export interface RateLimitDecision {
  allowed: boolean;
  /** Which limit refused the request (a rule refuses as "requests"). */
  limitedBy?: "requests" | "tokens";
  /** Whole seconds until the refusing window ends, in [1, window length]. Only when refused. */
  retryAfterSeconds?: number;
  /** Requests allowed per window: the key's rpm, or the rule's points. */
  limitRequests: number;
  remainingRequests: number;
  /** Seconds (with milliseconds) until the request window ends. */
  resetRequestsSeconds: number;
  limitTokens?: number;
  remainingTokens?: number;
  resetTokensSeconds?: number;
  /** What was counted: the API key's id, or the key a rule counts (an address, a client IP). */
  keyId: string;
  /** Tokens this request added to the token window (its capped estimate; 0 when refused). */
  tokensCounted: number;
  /** When the token window that counted them ends (epoch ms), for settleTokens(). */
  tokensWindowEndsAt?: number;
  /** The time the decision was made (`now`). */
  at: Date;
  /** Decided by the in-process fallback because Redis was unavailable. */
  degraded: boolean;
}

export interface KeyRateLimiterOptions {
  /** Shared counters in Redis; null or omitted: in process. */
  redis?: Redis | null;
  /** Key prefix in Redis. Default `gh:rl`. */
  prefix?: string;
  /** Window length; 60 s for per-minute limits (tests may shorten it). */
  windowSeconds?: number;
  logger?: RedisLogger;
}

type Kind = "req" | "tok";

/** Counters never refuse by themselves: limits are compared in check(). */
const OUT_OF_REACH = Number.MAX_SAFE_INTEGER;

interface Count {
  consumed: number;
  msBeforeNext: number;
}

/**
 * In-process fixed windows, one per key: the same semantics as the Redis counters (a window opens
 * with its first points and lasts the window length), synchronous, so a check in process costs a
 * map lookup and no promise. Expired windows are swept once per window length.
 */
class MemoryWindows {
  private readonly windows = new Map<string, { endsAt: number; count: number }>();
  private sweptAt = 0;

  constructor(private readonly windowMs: number) {}

  add(id: string, points: number, nowMs: number): Count {
    if (nowMs - this.sweptAt >= this.windowMs) this.sweep(nowMs);
    let w = this.windows.get(id);
    if (!w || w.endsAt <= nowMs) {
      w = { endsAt: nowMs + this.windowMs, count: 0 };
      this.windows.set(id, w);
    }
    w.count += points;
    return { consumed: w.count, msBeforeNext: w.endsAt - nowMs };
  }

  /** Takes points back from the current window (never below zero; nothing when it has ended). */
  give(id: string, points: number, nowMs: number): void {
    const w = this.windows.get(id);
    if (w && w.endsAt > nowMs) w.count = Math.max(0, w.count - points);
  }

  delete(id: string): void {
    this.windows.delete(id);
  }

  private sweep(nowMs: number): void {
    this.sweptAt = nowMs;
    for (const [id, w] of this.windows) if (w.endsAt <= nowMs) this.windows.delete(id);
  }
}

interface RedisCounters {
  req: RateLimiterAbstract;
  tok: RateLimiterAbstract;
}

/** The counters of one window length: requests and tokens, in process and, with Redis, shared. */
interface Counters {
  windowSeconds: number;
  memory: { req: MemoryWindows; tok: MemoryWindows };
  shared: RedisCounters | null;
}

interface Counted {
  req: Count;
  tok: Count | null;
  requestsOver: boolean;
  tokensOver: boolean;
}

/**
 * The rate limiter: API keys' limits (`check`) and named rules (`consume`) on the same kind of
 * counters, the same Redis and the same fallback. Every counter is per key: an API key's id, or
 * whatever a rule counts (an address, a client IP).
 */
export class KeyRateLimiter {
  private readonly redis: Redis | null;
  private readonly prefix: string;
  /** API keys' counters (`check`). */
  private readonly keys: Counters;
  /** Each rule's counters, by rule name, created on first use. */
  private readonly rules = new Map<string, Counters>();
  private readonly fallbackLog: ThrottledLog;

  constructor(options: KeyRateLimiterOptions = {}) {
    this.prefix = options.prefix ?? "gh:rl";
    this.redis = options.redis ?? null;
    this.keys = this.counters((kind) => `${this.prefix}:${kind}`, options.windowSeconds ?? 60);
    this.fallbackLog = new ThrottledLog(options.logger ?? appLogger, "warn");
  }

  private counters(keyPrefix: (kind: Kind) => string, windowSeconds: number): Counters {
    const redis = this.redis;
    const shared = (kind: Kind) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: keyPrefix(kind), points: OUT_OF_REACH, duration: windowSeconds, rejectIfRedisNotReady: true });
    return {
      windowSeconds,
      memory: { req: new MemoryWindows(windowSeconds * 1000), tok: new MemoryWindows(windowSeconds * 1000) },
      shared: redis ? { req: shared("req"), tok: shared("tok") } : null,
    };
  }

  /** A rule's counters. Its attempts are counted as requests; its token counter stays unused. */
  private ruleCounters(rule: RateLimitRule): Counters {
    const existing = this.rules.get(rule.name);
    if (existing) {
      // Windows of another length under the same name would share Redis keys with the wrong expiry.
      if (existing.windowSeconds !== rule.durationSeconds) {
        throw new RangeError(`rate-limit rule ${rule.name} counts in windows of ${existing.windowSeconds} s, not ${rule.durationSeconds} s`);
      }
      return existing;
    }
    if (!Number.isInteger(rule.durationSeconds) || rule.durationSeconds < 1) {
      throw new RangeError(`durationSeconds must be a positive integer (got ${rule.durationSeconds})`);
    }
    const counters = this.counters((kind) => `${this.prefix}:rule:${rule.name}${kind === "req" ? "" : `:${kind}`}`, rule.durationSeconds);
    this.rules.set(rule.name, counters);
    return counters;
  }

  /**
   * Counts one request (and its estimated tokens) for the key and says whether it may proceed.
   * In process the decision comes back at once; with Redis, as a promise.
   */
  check(input: RateLimitInput): RateLimitDecision | Promise<RateLimitDecision> {
    const rpm = input.rpm;
    const tpm = input.tpm ?? null;
    if (!Number.isInteger(rpm) || rpm < 1) throw new RangeError(`rpm must be a positive integer (got ${rpm})`);
    if (tpm !== null && (!Number.isInteger(tpm) || tpm < 1)) throw new RangeError(`tpm must be a positive integer (got ${tpm})`);
    return this.count(this.keys, input);
  }

  /**
   * Counts one attempt for `key` under `rule` and says whether it is within the rule's points,
   * e.g. a sign-in link for an address. A refused attempt takes nothing, like a refused request.
   * In process the decision comes back at once, as check's does; with Redis, as a promise.
   */
  consume(rule: RateLimitRule, key: string): RateLimitDecision | Promise<RateLimitDecision> {
    if (!Number.isInteger(rule.points) || rule.points < 1) throw new RangeError(`points must be a positive integer (got ${rule.points})`);
    return this.count(this.ruleCounters(rule), { keyId: key, rpm: rule.points });
  }

  private count(counters: Counters, input: RateLimitInput): RateLimitDecision | Promise<RateLimitDecision> {
    const rpm = input.rpm;
    const tpm = input.tpm ?? null;
    const nowMs = Date.now();
    const at = input.now ?? new Date(nowMs);
    const tokens = tpm === null ? 0 : Math.min(Math.max(0, Math.ceil(input.estimatedTokens ?? 0)), tpm);
    if (!counters.shared || !this.redis)
      return this.decide(counters, input, at, tokens, this.countInMemory(counters, input.keyId, rpm, tpm, tokens, nowMs), false, nowMs);
    return this.checkShared(counters, input, at, tokens, counters.shared, this.redis);
  }

  private async checkShared(
    counters: Counters,
    input: RateLimitInput,
    at: Date,
    tokens: number,
    shared: RedisCounters,
    redis: Redis,
  ): Promise<RateLimitDecision> {
    const rpm = input.rpm;
    const tpm = input.tpm ?? null;
    try {
      await ensureRedisReady(redis);
      const [req, tok] = await Promise.all([count(shared.req, input.keyId, 1), tpm === null ? null : count(shared.tok, input.keyId, tokens)]);
      const counted = overLimits(req, tok, rpm, tpm);
      if (counted.requestsOver || counted.tokensOver) {
        // A refused request takes nothing from either budget.
        await Promise.all([shared.req.reward(input.keyId, 1), tok !== null && tokens > 0 ? shared.tok.reward(input.keyId, tokens) : null]);
      }
      return this.decide(counters, input, at, tokens, counted, false, Date.now());
    } catch (err) {
      this.redisUnavailable(err);
    }
    const nowMs = Date.now();
    return this.decide(counters, input, at, tokens, this.countInMemory(counters, input.keyId, rpm, tpm, tokens, nowMs), true, nowMs);
  }

  private countInMemory(counters: Counters, keyId: string, rpm: number, tpm: number | null, tokens: number, nowMs: number): Counted {
    const memory = counters.memory;
    const req = memory.req.add(keyId, 1, nowMs);
    const tok = tpm === null ? null : memory.tok.add(keyId, tokens, nowMs);
    const counted = overLimits(req, tok, rpm, tpm);
    if (counted.requestsOver || counted.tokensOver) {
      // A refused request takes nothing from either budget.
      memory.req.give(keyId, 1, nowMs);
      if (tok !== null && tokens > 0) memory.tok.give(keyId, tokens, nowMs);
    }
    return counted;
  }

  /** Redis failed: say so (at most every so often); the caller goes on with in-process counters. */
  private redisUnavailable(err: unknown): void {
    this.fallbackLog.log({ err: errorSummary(err) }, "rate limits use in-process counters: Redis is unavailable");
  }

  private decide(counters: Counters, input: RateLimitInput, at: Date, tokens: number, counted: Counted, degraded: boolean, nowMs: number): RateLimitDecision {
    const rpm = input.rpm;
    const tpm = input.tpm ?? null;
    const { req, tok, requestsOver, tokensOver } = counted;
    const allowed = !requestsOver && !tokensOver;
    const given = allowed ? 0 : 1;
    const decision: RateLimitDecision = {
      allowed,
      limitRequests: rpm,
      remainingRequests: clamp(rpm - (req.consumed - given), 0, rpm),
      resetRequestsSeconds: Math.max(0, req.msBeforeNext) / 1000,
      keyId: input.keyId,
      tokensCounted: allowed ? tokens : 0,
      at,
      degraded,
    };
    if (tok !== null && tpm !== null) {
      decision.limitTokens = tpm;
      decision.remainingTokens = clamp(tpm - (tok.consumed - (allowed ? 0 : tokens)), 0, tpm);
      decision.resetTokensSeconds = Math.max(0, tok.msBeforeNext) / 1000;
      decision.tokensWindowEndsAt = nowMs + Math.max(0, tok.msBeforeNext);
    }
    if (!allowed) {
      decision.limitedBy = requestsOver ? "requests" : "tokens";
      const waitMs = Math.max(requestsOver ? req.msBeforeNext : 0, tokensOver && tok ? tok.msBeforeNext : 0);
      decision.retryAfterSeconds = clamp(Math.ceil(waitMs / 1000), 1, counters.windowSeconds);
    }
    return decision;
  }

  /** Corrects the token count of an allowed request to what it really used. */
  settleTokens(decision: RateLimitDecision, actualTokens: number): void | Promise<void> {
    if (!decision.allowed || decision.limitTokens === undefined) return;
    return this.adjustTokens(decision.keyId, Math.ceil(actualTokens) - decision.tokensCounted, { windowEndsAt: decision.tokensWindowEndsAt });
  }

  /**
   * Adds (penalty) or gives back (reward) tokens in the key's current token window. A reward is
   * dropped once `windowEndsAt` (the end of the window that counted the estimate) has passed, and
   * never takes the counter below zero.
   */
  adjustTokens(keyId: string, deltaTokens: number, options: { windowEndsAt?: number } = {}): void | Promise<void> {
    const delta = Math.trunc(deltaTokens);
    if (delta === 0 || !Number.isFinite(delta)) return;
    const nowMs = Date.now();
    if (delta < 0 && options.windowEndsAt !== undefined && nowMs >= options.windowEndsAt) return;
    if (!this.keys.shared || !this.redis) return this.adjustInMemory(keyId, delta, nowMs);
    return this.adjustShared(keyId, delta, this.keys.shared, this.redis);
  }

  private adjustInMemory(keyId: string, delta: number, nowMs: number): void {
    if (delta > 0) this.keys.memory.tok.add(keyId, delta, nowMs);
    else this.keys.memory.tok.give(keyId, -delta, nowMs);
  }

  private async adjustShared(keyId: string, delta: number, shared: RedisCounters, redis: Redis): Promise<void> {
    try {
      await ensureRedisReady(redis);
      if (delta > 0) {
        await shared.tok.penalty(keyId, delta);
        return;
      }
      const res = await shared.tok.reward(keyId, -delta);
      if (res.consumedPoints < 0) await shared.tok.penalty(keyId, -res.consumedPoints);
    } catch (err) {
      this.redisUnavailable(err);
      this.adjustInMemory(keyId, delta, Date.now());
    }
  }

  /** Forgets the key's counters (an admin lifting a limit, tests). */
  async reset(keyId: string): Promise<void> {
    await this.forget(this.keys, keyId);
  }

  /** Forgets `key`'s count under `rule` (an operator lifting a limit, tests). */
  async resetRule(rule: RateLimitRule, key: string): Promise<void> {
    await this.forget(this.ruleCounters(rule), key);
  }

  private async forget(counters: Counters, keyId: string): Promise<void> {
    counters.memory.req.delete(keyId);
    counters.memory.tok.delete(keyId);
    const shared = counters.shared;
    if (!shared || !this.redis) return;
    try {
      await ensureRedisReady(this.redis);
      await Promise.all([shared.req.delete(keyId), shared.tok.delete(keyId)]);
    } catch (err) {
      this.redisUnavailable(err);
    }
  }
}

async function count(limiter: RateLimiterAbstract, keyId: string, points: number): Promise<Count> {
  const res = await limiter.consume(keyId, points);
  return { consumed: res.consumedPoints, msBeforeNext: res.msBeforeNext };
}

function overLimits(req: Count, tok: Count | null, rpm: number, tpm: number | null): Counted {
  return { req, tok, requestsOver: req.consumed > rpm, tokensOver: tok !== null && tpm !== null && tok.consumed > tpm };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

// ---------------------------------------------------------------------------------------------
// The process's limiter

const LIMITER = processSingleton<{ current?: KeyRateLimiter }>("limits.keyRateLimiter", () => ({}));

/** The process's limiter: Redis-backed when `REDIS_URL` is set (on globalThis, like the others). */
export function getKeyRateLimiter(): KeyRateLimiter {
  LIMITER.current ??= new KeyRateLimiter({ redis: getRedis() });
  return LIMITER.current;
}

/** Replaces the process's limiter (tests); undefined makes the next call build it again. */
export function setKeyRateLimiter(limiter: KeyRateLimiter | undefined): void {
  if (limiter) LIMITER.current = limiter;
  else delete LIMITER.current;
}

export function checkRateLimit(input: RateLimitInput): RateLimitDecision | Promise<RateLimitDecision> {
  return getKeyRateLimiter().check(input);
}

export function settleTokens(decision: RateLimitDecision, actualTokens: number): void | Promise<void> {
  return getKeyRateLimiter().settleTokens(decision, actualTokens);
}

/** Counts one attempt under a named rule with the process's limiter (see KeyRateLimiter.consume). */
export function consumeRateLimit(rule: RateLimitRule, key: string): RateLimitDecision | Promise<RateLimitDecision> {
  return getKeyRateLimiter().consume(rule, key);
}

/** Forgets `key`'s count under a named rule, on every instance when Redis is shared. */
export function resetRateLimit(rule: RateLimitRule, key: string): Promise<void> {
  return getKeyRateLimiter().resetRule(rule, key);
}
