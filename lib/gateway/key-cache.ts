import { publishInvalidation } from "@/lib/cache-bus/invalidation-bus";
import type { GatewayKey } from "./load-key";
import { processSingleton } from "@/lib/server/process-singleton";

// Keys looked up by HMAC, cached in process so the hot path reads the database once per key per
// TTL. Anything that changes a key or its order calls an invalidate function at once. The cache
// lives on globalThis: the CLI's commands (run by the server outside Next's bundle) and the app's
// actions (inside it) must reach the same map.

const TTL_MS = 30_000;
/** Unknown keys are remembered briefly too, so a flood of well-formed fakes costs one read each. */
const MISS_TTL_MS = 2_000;
const MAX_ENTRIES = 50_000;

interface Entry {
  key: GatewayKey | null;
  expiresAt: number;
}

const CACHE = processSingleton<{ current?: Map<string, Entry> }>("gateway.keyCache", () => ({}));

function cache(): Map<string, Entry> {
  CACHE.current ??= new Map();
  return CACHE.current;
}

export function getCachedKey(hmac: string, now = Date.now()): GatewayKey | null | undefined {
  const entry = cache().get(hmac);
  if (!entry) return undefined;
  if (entry.expiresAt <= now) {
    cache().delete(hmac);
    return undefined;
  }
  return entry.key;
}

export function setCachedKey(hmac: string, key: GatewayKey | null, now = Date.now()): void {
  setBounded(cache(), hmac, { key, expiresAt: now + (key ? TTL_MS : MISS_TTL_MS) }, MAX_ENTRIES);
}

/** `map.set`, first dropping the oldest thousand insertions when the map is full (Maps iterate in insertion order). */
function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max) {
    let excess = map.size - max + 1000;
    for (const k of map.keys()) {
      if (excess-- <= 0) break;
      map.delete(k);
    }
  }
  map.set(key, value);
}

/**
 * Forget one key (by HMAC) — after it is created, rotated, disabled, enabled or deleted — here
 * and, when instances share Redis, on every other instance. `broadcast: false` is for applying
 * a message that came from the bus.
 */
export function invalidateKey(hmac: string, options: { broadcast?: boolean } = {}): void {
  cache().delete(hmac);
  if (options.broadcast !== false) void publishInvalidation({ kind: "key", id: hmac });
}

/** Forget every key of an order — after the order, its plan or its balance changes. */
export function invalidateOrderKeys(orderId: string, options: { broadcast?: boolean } = {}): void {
  for (const [hmac, entry] of cache()) if (entry.key?.order.id === orderId) cache().delete(hmac);
  if (options.broadcast !== false) void publishInvalidation({ kind: "order", id: orderId });
}

// The HMAC of each credential seen recently, so a known key costs a map lookup instead of the
// diagnosis and an HMAC per request. Only credentials that passed the diagnosis are kept; the
// HMAC of a credential never changes for a pepper, so nothing here needs invalidating. Entries
// live as long as the process (bounded): a key is in memory anyway while its requests are served.
const HMACS = processSingleton<{ current?: WeakMap<Buffer, Map<string, string>> }>("gateway.credentialHmacs", () => ({}));
const MAX_HMACS = 20_000;

function hmacsFor(pepper: Buffer): Map<string, string> {
  HMACS.current ??= new WeakMap();
  let map = HMACS.current.get(pepper);
  if (!map) {
    map = new Map();
    HMACS.current.set(pepper, map);
  }
  return map;
}

export function credentialHmac(pepper: Buffer, credential: string): string | undefined {
  return hmacsFor(pepper).get(credential);
}

export function rememberCredentialHmac(pepper: Buffer, credential: string, hmac: string): void {
  setBounded(hmacsFor(pepper), credential, hmac, MAX_HMACS);
}

/** Forget everything (a plan changed, or tests). */
export function clearKeyCache(options: { broadcast?: boolean } = {}): void {
  cache().clear();
  if (options.broadcast !== false) void publishInvalidation({ kind: "plan", id: "*" });
}
