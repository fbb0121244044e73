import "server-only";
import { constantError, GatewayError } from "@/lib/errors";
import { consumeRateLimit, type RateLimitDecision, type RateLimitRule } from "@/lib/limits";
import { processSingleton } from "@/lib/server/process-singleton";

/**
 * Well-formed keys that name no key, per client IP per minute. Anyone can make such keys (the
 * checksum is public) and each new one costs a database read, so after this many a client's
 * unknown keys are refused with 429 before any read, until its window ends. Typos fail the
 * checksum without a read and are not counted, nor are known keys (replaced, disabled, deleted or
 * valid): a real client rarely sends even one unknown key a minute.
 */
export const UNKNOWN_KEY_LIMIT = { name: "gateway:unknown-keys", points: 30, durationSeconds: 60 } as const satisfies RateLimitRule;

/** Requests that did not pass through server.ts (no client IP) share one counter. */
const NO_IP = "unknown";
const MAX_BLOCKED = 10_000;

/**
 * Client IPs refused by the limit, until when (epoch ms). The count lives in the limiter (Redis
 * with several instances: one budget for all); this map only lets an instance refuse a blocked
 * client's next unknown keys without asking Redis, or reading the database, every time. Another
 * instance learns of the block at its next refusal from the shared count.
 */
const BLOCKED = processSingleton<{ current?: Map<string, number> }>("gateway.unknownKeyBlocks", () => ({}));

function blocked(): Map<string, number> {
  BLOCKED.current ??= new Map();
  return BLOCKED.current;
}

/** The 429 for a client over the limit, in whatever protocol the call speaks (the error renderer's job). */
function limitError(retryAfterSeconds: number, nowMs: number): GatewayError<"rate_limit_exceeded"> {
  return new GatewayError("rate_limit_exceeded", {
    limit: UNKNOWN_KEY_LIMIT.points,
    unit: "unknown_keys",
    retryAfterSeconds,
    resetsAt: new Date(nowMs + retryAfterSeconds * 1000),
  });
}

/**
 * The 429 for a client that is blocked, if it is: asked before a key that is not in the cache is
 * read, so a blocked client's made-up keys cost neither a database read nor a Redis round trip
 * (authenticate.ts still reads its keys that may exist). Synchronous.
 */
export function blockedRefusal(clientIp: string | null, nowMs: number): GatewayError | undefined {
  const ip = clientIp ?? NO_IP;
  const until = blocked().get(ip);
  if (until === undefined) return undefined;
  if (until <= nowMs) {
    blocked().delete(ip);
    return undefined;
  }
  return limitError(Math.max(1, Math.ceil((until - nowMs) / 1000)), nowMs);
}

/**
 * Counts an unknown key against its client and returns the error to throw: 401 `invalid_api_key`
 * within the limit, 429 `rate_limit_exceeded` (Retry-After: when the client's window ends) over
 * it, after which the client is blocked here until then. With the limiter in process the error
 * comes back at once; with Redis, as a promise.
 */
export function countUnknownKey(clientIp: string | null): GatewayError | Promise<GatewayError> {
  return countAgainstClient(clientIp, () => new GatewayError("invalid_api_key", { reason: "unknown_key" }));
}

/**
 * A key refused without a read because no key is known to have its HMAC and the process's reads
 * of such keys are spent (known-keys.ts): counted against its client like an unknown key, and
 * refused with 503 and Retry-After (429 over the client's limit). It may be a key created a moment
 * ago that this instance has not heard of yet, so the client is told to try again, not that the
 * key is wrong.
 */
export function countUncheckedKey(clientIp: string | null): GatewayError | Promise<GatewayError> {
  return countAgainstClient(clientIp, () => UNCHECKED_REFUSAL);
}

/** The 503 of an unchecked key: the same answer every time, so one error for all of them. */
const UNCHECKED_REFUSAL = constantError(new GatewayError("service_unavailable", { check: "key", retryAfterSeconds: 1 }));

/** One unknown key against the client's count: `withinLimit`'s error, or the limit's 429 (and the block). */
function countAgainstClient(clientIp: string | null, withinLimit: () => GatewayError): GatewayError | Promise<GatewayError> {
  const ip = clientIp ?? NO_IP;
  const decision = consumeRateLimit(UNKNOWN_KEY_LIMIT, ip);
  if (decision instanceof Promise) return decision.then((d) => (d.allowed ? withinLimit() : block(ip, d)));
  return decision.allowed ? withinLimit() : block(ip, decision);
}

/** Blocks a client over the limit here until its window ends, and returns its 429. */
function block(ip: string, decision: RateLimitDecision): GatewayError {
  const retryAfterSeconds = decision.retryAfterSeconds ?? UNKNOWN_KEY_LIMIT.durationSeconds;
  const nowMs = Date.now();
  const map = blocked();
  if (map.size >= MAX_BLOCKED) for (const [k, until] of map) if (until <= nowMs || map.size >= MAX_BLOCKED) map.delete(k);
  map.set(ip, nowMs + retryAfterSeconds * 1000);
  return limitError(retryAfterSeconds, nowMs);
}

/**
 * Whether `error` is this limit's 429 or an unchecked key's 503 (such refusals are counted in the
 * metrics, not logged row by row: a flood would otherwise write a row for each).
 */
export function isUnknownKeyRefusal(error: GatewayError): boolean {
  return error === UNCHECKED_REFUSAL || (error.code === "rate_limit_exceeded" && (error.details as { unit?: string }).unit === "unknown_keys");
}

/** Forgets every block (tests; the counts themselves are the limiter's: resetRateLimit). */
export function clearUnknownKeyBlocks(): void {
  blocked().clear();
}
