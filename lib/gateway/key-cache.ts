import { publishInvalidation } from "@/lib/cache-bus/invalidation-bus";
import { noteChangedKey, noteKey } from "./known-keys";
import type { GatewayKey } from "./load-key";
import { processSingleton } from "@/lib/server/process-singleton";
import { KEY_CACHE_TTL_MS } from "./cache-ttls";

// Keys looked up by HMAC, cached in process so the hot path reads the database once per key per
// TTL. Anything that changes a key or its order calls an invalidate function at once. The cache
// lives on globalThis: the CLI's commands (run by the server outside Next's bundle) and the app's
// actions (inside it) must reach the same map.

const MAX_ENTRIES = 50_000;
/**
 * Unknown keys are remembered too, in a map of their own so a flood of well-formed fakes cannot
 * push known keys out: the same fake again costs a map lookup instead of a database read. A key
 * created (or enabled) later is invalidated by its HMAC like any other change, on every instance,
 * so remembering a miss as long as a hit is safe.
 */
const MISS_TTL_MS = KEY_CACHE_TTL_MS;
const MAX_MISSES = 20_000;

interface Entry {
  key: GatewayKey;
  expiresAt: number;
}

interface State {
  current?: Map<string, Entry>;
  misses?: Map<string, number>;
  /** Reads under way, by HMAC: concurrent lookups of one key share one database read. */
  reading?: Map<string, Promise<GatewayKey | null>>;
  /** Bumped by every invalidation: a read that started before one must not cache what it found. */
  generation?: number;
}

const CACHE = processSingleton<State>("gateway.keyCache", () => ({}));

function cache(): Map<string, Entry> {
  CACHE.current ??= new Map();
  return CACHE.current;
}

function misses(): Map<string, number> {
  CACHE.misses ??= new Map();
  return CACHE.misses;
}

/** The key cached for `hmac`; null: known not to exist; undefined: not cached. */
export function getCachedKey(hmac: string, now = Date.now()): GatewayKey | null | undefined {
  const entry = cache().get(hmac);
  if (entry) {
    if (entry.expiresAt > now) return entry.key;
    cache().delete(hmac);
    return undefined;
  }
  const missUntil = misses().get(hmac);
  if (missUntil === undefined) return undefined;
  if (missUntil > now) return null;
  misses().delete(hmac);
  return undefined;
}

export function setCachedKey(hmac: string, key: GatewayKey | null, now = Date.now()): void {
  if (key) {
    noteKey(hmac);
    misses().delete(hmac);
    setBounded(cache(), hmac, { key, expiresAt: now + KEY_CACHE_TTL_MS }, MAX_ENTRIES);
  } else {
    cache().delete(hmac);
    setBounded(misses(), hmac, now + MISS_TTL_MS, MAX_MISSES);
  }
}

/** A number that changes whenever anything is invalidated (see `readKeyOnce`). */
function generation(): number {
  return CACHE.generation ?? 0;
}

function forgetReads(hmac?: string): void {
  CACHE.generation = generation() + 1;
  if (hmac === undefined) CACHE.reading?.clear();
  else CACHE.reading?.delete(hmac);
}

/**
 * Reads the key named by `hmac` with `read` (the database), once for all concurrent callers, and
 * caches what it found (a miss too), unless something was invalidated while it read: a key created
 * meanwhile must not be remembered as unknown, nor a key changed meanwhile as it was.
 */
export function readKeyOnce(hmac: string, read: () => Promise<GatewayKey | null>): Promise<GatewayKey | null> {
  CACHE.reading ??= new Map();
  const reading = CACHE.reading;
  const pending = reading.get(hmac);
  if (pending) return pending;
  const startedAt = generation();
  const promise = read().then(
    (key) => {
      if (reading.get(hmac) === promise) reading.delete(hmac);
      if (generation() === startedAt) setCachedKey(hmac, key);
      return key;
    },
    (err: unknown) => {
      if (reading.get(hmac) === promise) reading.delete(hmac);
      throw err;
    },
  );
  reading.set(hmac, promise);
  return promise;
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
 * and, when instances share Redis, on every other instance: the key, a miss remembered for its
 * HMAC, and a read of it under way; and note that a key has this HMAC (known-keys.ts). `broadcast: false` is for applying
 * a message that came from the bus.
 */
export function invalidateKey(hmac: string, options: { broadcast?: boolean } = {}): void {
  // Every key created is invalidated once it is committed: from then on it is known to exist.
  noteChangedKey(hmac);
  cache().delete(hmac);
  misses().delete(hmac);
  forgetReads(hmac);
  if (options.broadcast !== false) void publishInvalidation({ kind: "key", id: hmac });
}

/** Forget every key of an order — after the order, its plan or its balance changes. */
export function invalidateOrderKeys(orderId: string, options: { broadcast?: boolean } = {}): void {
  for (const [hmac, entry] of cache()) if (entry.key.order.id === orderId) cache().delete(hmac);
  forgetReads();
  if (options.broadcast !== false) void publishInvalidation({ kind: "order", id: orderId });
}

// The HMAC of each credential seen recently, so a known key costs a map lookup instead of the
// diagnosis and an HMAC per request. Only credentials that passed the diagnosis are kept; the
// HMAC of a credential never changes for a pepper, so nothing here needs invalidating. Entries
// live as long as the process (bounded): a key is in memory anyway while its requests are served.
// A credential in use stays: one found again after half the map's size of newer ones is moved to
// the newest end, so the oldest entries, evicted first, are those no request has asked for lately.
// That matters beyond the HMAC's cost: a client blocked for unknown keys has a credential found
// here read when its key is not cached, and one not found here only when the filter of known keys
// has its ending and HMAC (authenticate.ts).
interface Remembered {
  hmac: string;
  /** When it was remembered, or last moved to the newest end, in `Memo.seq`'s count. */
  seq: number;
}
interface Memo {
  map: Map<string, Remembered>;
  /** Credentials remembered so far, and moves to the newest end. */
  seq: number;
}
const HMACS = processSingleton<{ current?: WeakMap<Buffer, Memo> }>("gateway.credentialHmacs", () => ({}));
export const MAX_HMACS = 20_000;

function hmacsFor(pepper: Buffer): Memo {
  HMACS.current ??= new WeakMap();
  let memo = HMACS.current.get(pepper);
  if (!memo) {
    memo = { map: new Map(), seq: 0 };
    HMACS.current.set(pepper, memo);
  }
  return memo;
}

export function credentialHmac(pepper: Buffer, credential: string): string | undefined {
  const memo = hmacsFor(pepper);
  const entry = memo.map.get(credential);
  if (entry === undefined) return undefined;
  if (memo.seq - entry.seq > MAX_HMACS / 2) {
    memo.map.delete(credential);
    entry.seq = ++memo.seq;
    memo.map.set(credential, entry);
  }
  return entry.hmac;
}

export function rememberCredentialHmac(pepper: Buffer, credential: string, hmac: string): void {
  const memo = hmacsFor(pepper);
  setBounded(memo.map, credential, { hmac, seq: ++memo.seq }, MAX_HMACS);
}

/** Forget everything (a plan changed, or tests). */
export function clearKeyCache(options: { broadcast?: boolean } = {}): void {
  cache().clear();
  misses().clear();
  forgetReads();
  if (options.broadcast !== false) void publishInvalidation({ kind: "plan", id: "*" });
}
