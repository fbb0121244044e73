import "server-only";
import { apiKeyProblemError, diagnoseApiKey, hmacLookup, keyLastFour } from "@/lib/credentials";
import { getSecretKeys } from "@/lib/credentials";
import { getDb, type Prisma } from "@/lib/db";
import { GatewayError } from "@/lib/errors";
import { parseTrustedProxies, type TrustedProxies } from "@/lib/server/trusted-proxies";
import type { GatewayCall } from "./gateway-call";
import { credentialHmac, getCachedKey, rememberCredentialHmac } from "./key-cache";
import { mayEndAKey, mayReadForBlocked, mayReadKey, noteKeyEnding, refusableUnread } from "./known-keys";
import { extractCredential } from "./extract-credential";
import { loadKeyByHmac, type GatewayKey } from "./load-key";
import { blockedRefusal, countUncheckedKey, countUnknownKey } from "./unknown-key-limit";

/** A key's IP allowlist as a matcher (null: any address), built once per cached key object. */
const allowlists = new WeakMap<GatewayKey, TrustedProxies | null>();

function allowlistOf(key: GatewayKey): TrustedProxies | null {
  let allowlist = allowlists.get(key);
  if (allowlist === undefined) {
    allowlist = null;
    if (key.ipAllowlist.length > 0) {
      // Same CIDR syntax as TRUSTED_PROXIES. A stored list is validated when it is saved; one
      // that no longer parses allows nobody rather than everybody.
      const parsed = parseTrustedProxies(key.ipAllowlist.join(","));
      allowlist = parsed.ok ? parsed.matcher : { contains: () => false, isEmpty: false, ranges: [] };
    }
    allowlists.set(key, allowlist);
  }
  return allowlist;
}

// The first step of every /v1 request: the credential and the key it names, up to the client IP.

/**
 * The key checks of DESIGN.md, in its order, each with its own error: present → well formed →
 * known → not replaced → not disabled → order active → key not expired → client IP allowed.
 * The model, rate and spend checks follow once the request body is read.
 *
 * A key seen recently is checked without waiting: the credential's HMAC and the key are both in
 * process (key-cache.ts), so the result (or the refusal, thrown) comes back at once rather than
 * as a promise. Otherwise the key is read from the database (one read for concurrent requests
 * with the same key), and a key it does not find is remembered as unknown. Each unknown key
 * counts against the client's IP; over UNKNOWN_KEY_LIMIT the client's keys that are not cached
 * are refused with 429 without a read, and a credential not remembered whose ending no key has
 * without its HMAC, so a flood of made-up keys cannot keep the database, or the process, busy.
 * Only a key that may exist is still read for such a client: one that named a key here lately,
 * or one whose ending and HMAC the filter of known keys has (within the process's budget of such
 * reads), so a flood from an address does not lock out the real keys used from it.
 * Made-up keys from many clients, each within its limit, are refused without a read too once the
 * process's reads of keys no key is known to have are spent (known-keys.ts), and without their
 * HMAC when no key ends in their last four characters.
 *
 * How a refusal comes: a cached key's (replaced, disabled, order over, expired, address not
 * allowed) is thrown at once; every other one, a credential that names no key included, as a
 * rejected promise, which costs less than a throw from the request's first, synchronous step.
 * Callers take both (withGateway: a try around the call, and the promise's rejection).
 */
export function authorizeKey(
  db: Prisma,
  input: { credential: string | null; clientIp: string | null; pepper: Buffer; nowMs?: number },
): GatewayKey | Promise<GatewayKey> {
  const { credential, pepper } = input;
  const remembered = credential === null ? undefined : credentialHmac(pepper, credential);
  const nowMs = input.nowMs ?? Date.now();
  // A credential that passes the diagnosis is the key itself (`fresh`: its HMAC computed now).
  let fresh: string | undefined;
  let hmac: string;
  // The 429 of a client over the limit of unknown keys, for a credential not remembered (asked at
  // once; a remembered one asks only when its key is not cached).
  let blocked: GatewayError | undefined;
  if (remembered === undefined) {
    const diagnosis = diagnoseApiKey(credential);
    if (!diagnosis.ok) return Promise.reject(apiKeyProblemError(diagnosis));
    const lastFour = keyLastFour(diagnosis.key);
    // A credential not remembered has named no key here lately. From a client over the limit, one
    // that no key ends as it does goes no further, not even to its HMAC (the flood's one real cost).
    blocked = blockedRefusal(input.clientIp, nowMs);
    if (blocked && !mayEndAKey(db, lastFour, nowMs)) return Promise.reject(blocked);
    // No key ends as it does and the reads of unknown keys are spent: nor is its HMAC worth computing.
    if (!blocked && refusableUnread(db, lastFour, nowMs)) return refuse(countUncheckedKey(input.clientIp));
    fresh = diagnosis.key;
    hmac = hmacLookup(fresh, pepper);
  } else hmac = remembered;
  const cached = getCachedKey(hmac, nowMs);
  // A known key is checked at once and never counted as a failed attempt.
  if (cached) return knownKey(cached, input, hmac, fresh, nowMs);
  // Not cached, from a client over the limit: still read when it may be a key (one that named a
  // key here lately, or one the filter of known keys has: the key of someone else behind the same
  // address), so a flood from an address does not lock its real keys out; the rest get the 429
  // without a read.
  const refusal = fresh === undefined ? blockedRefusal(input.clientIp, nowMs) : blocked;
  if (refusal) {
    if (cached === null || (fresh !== undefined && !mayReadForBlocked(db, hmac, nowMs))) return Promise.reject(refusal);
  } else {
    if (cached === null) return refuse(countUnknownKey(input.clientIp));
    // No key has this HMAC as far as this process knows, and its reads of such keys are spent.
    if (!mayReadKey(db, hmac, nowMs)) return refuse(countUncheckedKey(input.clientIp));
  }
  // Not found: counted as unknown; for a blocked client (a filter's false positive, a key deleted
  // since), the same 429 without asking the limiter again.
  const notFound = () => (refusal ? Promise.reject(refusal) : refuse(countUnknownKey(input.clientIp)));
  return loadKeyByHmac(db, hmac).then((key) => (key ? knownKey(key, input, hmac, fresh, nowMs) : notFound()), databaseUnavailable);
}

/**
 * The checks of a key that exists. A credential whose HMAC was computed for this request (`fresh`)
 * has it remembered now that it names a key: a made-up key's would only push real ones out of the
 * bounded map.
 */
function knownKey(key: GatewayKey, input: { clientIp: string | null; pepper: Buffer }, hmac: string, fresh: string | undefined, nowMs: number): GatewayKey {
  if (fresh !== undefined) {
    rememberCredentialHmac(input.pepper, fresh, hmac);
    noteKeyEnding(keyLastFour(fresh));
  }
  return checkKey(key, input.clientIp, nowMs);
}

/**
 * The key could not be read (the database is down or restarting): 503, try again in a moment, as
 * when the spend store cannot answer. Only this read fails here; the key checks come after it.
 */
function databaseUnavailable(err: unknown): never {
  throw new GatewayError("service_unavailable", { check: "key", retryAfterSeconds: 1, cause: err });
}

/**
 * The refusal of a key that names none, counted against its client (unknown-key-limit.ts:
 * countUnknownKey's 401, countUncheckedKey's 503, or 429 over the limit), as a rejection: at
 * once with the limiter in process, once Redis answers otherwise.
 */
function refuse(counted: GatewayError | Promise<GatewayError>): Promise<never> {
  return counted instanceof Promise ? counted.then((error) => Promise.reject(error)) : Promise.reject(counted);
}

function checkKey(key: GatewayKey, clientIp: string | null, nowMs: number): GatewayKey {
  if (key.status === "DELETED") throw new GatewayError("invalid_api_key", { reason: "deleted" });
  if (key.status === "REPLACED" && (!key.validUntil || nowMs >= key.validUntil.getTime())) {
    throw new GatewayError("api_key_replaced", { replacedAt: key.replacedAt ?? undefined });
  }
  if (key.status === "DISABLED") throw new GatewayError("api_key_disabled");
  const { order } = key;
  if (order.state !== "OPEN") {
    throw new GatewayError("order_cancelled", { endedAt: order.endedAt ?? undefined, refunded: order.state === "REFUNDED" });
  }
  if (nowMs < order.accessStart.getTime()) throw new GatewayError("access_not_started", { startsAt: order.accessStart });
  if (nowMs >= order.accessEnd.getTime()) throw new GatewayError("access_expired", { endedAt: order.accessEnd, scope: "order" });
  if (key.expiresAt && nowMs >= key.expiresAt.getTime()) throw new GatewayError("access_expired", { endedAt: key.expiresAt, scope: "key" });
  const allowlist = allowlistOf(key);
  if (allowlist && !(clientIp && allowlist.contains(clientIp))) {
    throw new GatewayError("ip_not_allowed", { clientIp: clientIp ?? "unknown" });
  }
  return key;
}

/**
 * Authenticates the call's key (errors carry no key: none was accepted) and links the call to it.
 * A key seen recently comes back at once, otherwise as a promise. withGateway (gateway-call.ts)
 * calls it for every /v1 request, before the endpoint's handler.
 */
export function authenticate(call: GatewayCall): GatewayKey | Promise<GatewayKey> {
  const key = authorizeKey(getDb(), {
    credential: extractCredential(call.request.headers, call.protocol === "gemini" ? call.url : null, call.protocol),
    clientIp: call.clientIp,
    pepper: getSecretKeys().keyPepper,
    nowMs: call.startedAt,
  });
  if (key instanceof Promise) return key.then((k) => (call.key = k));
  call.key = key;
  return key;
}
