import "server-only";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

export interface RateLimitRule {
  /** Names the limit; limiters with the same name share their counters in the process. */
  name: string;
  /** Attempts allowed per window. */
  points: number;
  /** Window length in seconds (fixed window, starting at the key's first attempt). */
  durationSeconds: number;
}

export type RateLimitDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one attempt for `key` and says whether it is within the limit. */
  consume(key: string): Promise<RateLimitDecision>;
  /** Forgets `key` (tests, or an operator lifting a limit). */
  reset(key: string): Promise<void>;
}

// In process for now: one instance, one set of counters. The gateway brings Redis
// (rate-limiter-flexible's RateLimiterRedis has the same interface) for several instances.
// Counters live on globalThis because the custom server and Next's bundles load separate copies
// of this module in the same process; without the shared registry each copy would count alone.
const REGISTRY = Symbol.for("gatehouse.rate-limiters");
type WithRegistry = typeof globalThis & { [REGISTRY]?: Map<string, RateLimiterMemory> };

function limiterFor(rule: RateLimitRule): RateLimiterMemory {
  const g = globalThis as WithRegistry;
  const registry = (g[REGISTRY] ??= new Map());
  const id = `${rule.name}:${rule.points}/${rule.durationSeconds}`;
  let limiter = registry.get(id);
  if (!limiter) {
    limiter = new RateLimiterMemory({ keyPrefix: rule.name, points: rule.points, duration: rule.durationSeconds });
    registry.set(id, limiter);
  }
  return limiter;
}

/** A limiter for one rule, e.g. five sign-in links per address per 15 minutes. */
export function getRateLimiter(rule: RateLimitRule): RateLimiter {
  const limiter = limiterFor(rule);
  return {
    async consume(key) {
      try {
        const res = await limiter.consume(key);
        return { allowed: true, remaining: res.remainingPoints };
      } catch (err) {
        // The library rejects with a RateLimiterRes when the limit is reached; anything else is a bug.
        if (!(err instanceof RateLimiterRes)) throw err;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      }
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}
