import type { Prisma } from "@/lib/db";
import { logger } from "@/lib/server/logger";
import { errorSummary } from "@/lib/server/throttled-log";
import { processSingleton } from "@/lib/server/process-singleton";

// Which HMACs name a key, known without reading the database: a Bloom filter of every key's HMAC,
// loaded once from the database and kept up to date by `noteKey`, which the key cache calls for
// every key it is told of (a key created, rotated or changed here or, through the invalidation
// bus, on another instance) and every key a read finds.
//
// A well-formed key that is not cached is read from the database. When the filter says no key has
// its HMAC (it has no false negatives, and about 1 % false positives), the read is very likely for
// nothing: anyone can make such keys, and a flood of them from many clients, each within its own
// limit of unknown keys, would cost a read each. Such reads are allowed UNCHECKED_READS_PER_SECOND
// (with a burst of UNCHECKED_READS_BURST) per process; past that the key is refused as unknown
// without a read. The reads that remain cover what the filter cannot know at once: a key created
// a moment ago on another instance whose bus message is still on its way, or written by a process
// that publishes none. In normal operation there are few such keys and every one is read.
//
// No `server-only` import: the key cache that calls `noteKey` is shared with the CLI.

const BITS_PER_KEY = 10;
/** Probes per HMAC: each is 32 bits of the HMAC itself, which is already a keyed hash. */
const PROBES = 7;
/** Room for this many keys at least; a filter is sized for twice the keys it is loaded with. */
const MIN_CAPACITY = 65_536;
const LOAD_PAGE = 10_000;
/** After a load fails (the database down), the next attempt waits this long. */
const RETRY_MS = 5_000;
export const UNCHECKED_READS_PER_SECOND = 20;
export const UNCHECKED_READS_BURST = 50;

class HmacFilter {
  private readonly bits: Uint32Array;
  private readonly size: number;
  count = 0;

  constructor(readonly capacity: number) {
    this.size = capacity * BITS_PER_KEY;
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
  }

  add(hmac: string): void {
    for (let i = 0; i < PROBES; i++) {
      const bit = probe(hmac, i) % this.size;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.count += 1;
  }

  has(hmac: string): boolean {
    for (let i = 0; i < PROBES; i++) {
      const bit = probe(hmac, i) % this.size;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** The i-th 32 bits of a hex HMAC (64 digits: 8 such words). */
function probe(hmac: string, i: number): number {
  return parseInt(hmac.slice(i * 8, i * 8 + 8), 16) >>> 0;
}

interface State {
  /** The database the filter was loaded from: another one (tests) starts over. */
  db?: Prisma;
  /** Ready to answer; undefined until the first load completes. */
  filter?: HmacFilter;
  /** A load is under way (the first, or a larger filter once `filter` is full). */
  loadStarted: boolean;
  /** The filter that load fills, once it knows its size: keys noted meanwhile go in it and in `filter`. */
  loading?: HmacFilter;
  retryAt: number;
  tokens: number;
  refilledAt: number;
}

const STATE = processSingleton<{ current?: State }>("gateway.knownKeys", () => ({}));

function fresh(): State {
  return { loadStarted: false, retryAt: 0, tokens: UNCHECKED_READS_BURST, refilledAt: 0 };
}

function state(): State {
  STATE.current ??= fresh();
  return STATE.current;
}

/** A key with this HMAC exists (created, changed, or found by a read): the filter says so from now on. */
export function noteKey(hmac: string): void {
  const s = STATE.current;
  if (!s) return;
  s.filter?.add(hmac);
  s.loading?.add(hmac);
  if (s.filter && !s.loadStarted && s.db && s.filter.count > s.filter.capacity) load(s, s.db, s.filter.capacity * 2, Date.now());
}

/**
 * Whether to read the key named by `hmac` from `db`: yes when a key may have it, or while the
 * filter is not loaded yet (the first call starts the load), or within the budget of reads the
 * filter advises against. No: refuse it as unknown without a read.
 */
export function mayReadKey(db: Prisma, hmac: string, nowMs: number): boolean {
  let s = state();
  if (s.db !== db) {
    STATE.current = s = fresh();
    s.db = db;
  }
  if (!s.filter) {
    if (!s.loadStarted && nowMs >= s.retryAt) load(s, db, 0, nowMs);
    return true;
  }
  if (s.filter.has(hmac)) return true;
  const refill = ((nowMs - s.refilledAt) / 1000) * UNCHECKED_READS_PER_SECOND;
  if (refill > 0) {
    s.tokens = Math.min(UNCHECKED_READS_BURST, s.tokens + refill);
    s.refilledAt = nowMs;
  }
  if (s.tokens < 1) return false;
  s.tokens -= 1;
  return true;
}

/** Loads every key's HMAC into a new filter (sized for at least `capacity` keys), page by page, then swaps it in. */
function load(s: State, db: Prisma, capacity: number, nowMs: number): void {
  s.loadStarted = true;
  void (async () => {
    const count = await db.apiKey.count();
    const filter = new HmacFilter(Math.max(MIN_CAPACITY, capacity, count * 2));
    s.loading = filter;
    let after: string | undefined;
    for (;;) {
      const page = await db.apiKey.findMany({
        select: { hmac: true },
        where: after === undefined ? {} : { hmac: { gt: after } },
        orderBy: { hmac: "asc" },
        take: LOAD_PAGE,
      });
      for (const row of page) filter.add(row.hmac);
      if (page.length < LOAD_PAGE) break;
      after = page[page.length - 1]!.hmac;
    }
    // A key noted before this load began is in the database by now (noted after its commit).
    if (STATE.current === s) s.filter = filter;
  })()
    .catch((err: unknown) => {
      s.retryAt = nowMs + RETRY_MS;
      logger.warn({ err: errorSummary(err) }, "could not load the known keys' HMACs; every uncached key is read until a retry succeeds");
    })
    .finally(() => {
      s.loading = undefined;
      s.loadStarted = false;
    });
}

/** Whether the filter has loaded (tests). */
export function knownKeysReady(): boolean {
  return STATE.current?.filter !== undefined;
}

/** Forget the filter and the budget (tests). */
export function forgetKnownKeys(): void {
  STATE.current = undefined;
}
