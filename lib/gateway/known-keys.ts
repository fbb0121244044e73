import { BASE62_ALPHABET } from "@/lib/credentials/base62";
import type { Prisma } from "@/lib/db";
import { logger } from "@/lib/server/logger";
import { errorSummary } from "@/lib/server/throttled-log";
import { processSingleton } from "@/lib/server/process-singleton";

// Which HMACs name a key, known without reading the database: a Bloom filter of every key's HMAC,
// loaded once from the database and kept up to date three ways: `noteKey`, which the key cache
// calls for every key it is told of (a key created, rotated or changed here or, through the
// invalidation bus, on another instance) and every key a read finds; a catch-up read of the keys
// created lately, at most once every CATCH_UP_MS while uncached keys are asked for (keys written
// by a process that publishes nothing, or whose message was lost); and a whole new load when the
// bus reconnects after a gap (`reloadKnownKeys`) or the filter outgrows its size.
//
// A well-formed key that is not cached is read from the database. When the filter says no key has
// its HMAC (it has no false negatives, and about 1 % false positives), the read is very likely for
// nothing: anyone can make such keys, and a flood of them from many clients, each within its own
// limit of unknown keys, would cost a read each. Such reads are allowed UNCHECKED_READS_PER_SECOND
// (with a burst of UNCHECKED_READS_BURST) per process; past that the key is refused without a read
// with a 503 and Retry-After (authenticate.ts), not a 401: it may be a key created a moment ago
// that the filter has not heard of yet, and a client retrying in a second or two finds it read.
// In normal operation there are few such keys and every one is read.
//
// Beside the filter, a bit for the last four characters of each key (KeyEndings), set for
// every key the loads and catch-ups read (the same rows, their `lastFour`) and every credential
// that named a key here (`noteKeyEnding`). A made-up key whose last four no key has, arriving with
// the budget spent, is refused without even its HMAC (`refusableUnread`): the HMAC is the one real
// cost of such a flood. A key created or changed is told by its HMAC alone (`noteChangedKey`): it
// waits in `pending` until the next sync reads its row by HMAC, and while any key waits, or a row
// had no usable ending (then until a whole load), every such credential goes the filter's way,
// HMAC first. So a key the filter knows is never refused for its ending.
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
/** How often, at most, the keys created lately are read (only while uncached keys are asked for). */
const CATCH_UP_MS = 30_000;
const CATCH_UP_SLACK_MS = 60_000;
export const UNCHECKED_READS_PER_SECOND = 20;
export const UNCHECKED_READS_BURST = 50;

class HmacFilter {
  private readonly bits: Uint32Array;
  private readonly size: number;
  /** HMACs added that it did not have already: about the keys it holds. */
  count = 0;

  constructor(readonly capacity: number) {
    this.size = capacity * BITS_PER_KEY;
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
  }

  add(hmac: string): void {
    let added = false;
    for (let i = 0; i < PROBES; i++) {
      const bit = probe(hmac, i) % this.size;
      const word = bit >>> 5;
      const mask = 1 << (bit & 31);
      if ((this.bits[word]! & mask) === 0) {
        this.bits[word]! |= mask;
        added = true;
      }
    }
    if (added) this.count += 1;
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

/** Four base62 characters as a number below 62^4; -1 for anything else. */
function endingIndex(lastFour: unknown): number {
  if (typeof lastFour !== "string" || lastFour.length !== 4) return -1;
  let n = 0;
  for (let i = 0; i < 4; i++) {
    const digit = BASE62_ALPHABET.indexOf(lastFour[i]!);
    if (digit < 0) return -1;
    n = n * 62 + digit;
  }
  return n;
}

/** Bits of the endings' set for each key it has room for: with half its room used, about 3 % of made-up endings pass. */
const ENDING_BITS_PER_KEY = 16;

/**
 * The last four characters some key ends in, as one bit per ending modulo the set's size: 16 bits
 * for each key the filter has room for (128 KB for the smallest filter), rather than one for each
 * of the 62^4 endings (1.9 MB held by every process, however few its keys). Two endings that share
 * a bit both count as a key's: a made-up key then costs its HMAC, never a real key its answer.
 */
class KeyEndings {
  private readonly bits: Uint32Array;
  private readonly size: number;

  constructor(capacity: number) {
    this.size = Math.min(62 ** 4, capacity * ENDING_BITS_PER_KEY);
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
  }

  /** False for a value that is not four base62 characters (then the set cannot be relied on). */
  add(lastFour: unknown): boolean {
    const n = endingIndex(lastFour);
    if (n < 0) return false;
    const bit = n % this.size;
    this.bits[bit >>> 5]! |= 1 << (bit & 31);
    return true;
  }

  has(lastFour: string): boolean {
    const n = endingIndex(lastFour);
    if (n < 0) return true;
    const bit = n % this.size;
    return (this.bits[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }
}

interface State {
  /** The database the filter was loaded from: another one (tests) starts over. */
  db?: Prisma;
  /** Ready to answer; undefined until the first load completes. */
  filter?: HmacFilter;
  /** A load or a catch-up is under way. */
  busy: boolean;
  /** The filter a load fills, once it knows its size: keys noted meanwhile go in it and in `filter`. */
  loading?: HmacFilter;
  /**
   * Every key's last four characters, beside `filter` (undefined: none loaded yet, or a row without
   * a usable one was read, until a whole load); and those a load fills beside `loading`.
   */
  endings?: KeyEndings;
  loadingEndings?: KeyEndings;
  /** HMACs of keys created or changed whose endings no sync has read yet: `endings` waits for them. */
  pending: Set<string>;
  /** Keys created since this moment (database time, with slack) are read by the next catch-up. */
  createdSince?: Date;
  /** No load or catch-up starts before this (epoch ms, the callers' clock). */
  nextSyncAt: number;
  tokens: number;
  refilledAt: number;
}

const STATE = processSingleton<{ current?: State }>("gateway.knownKeys", () => ({}));

function fresh(): State {
  return { busy: false, nextSyncAt: 0, tokens: UNCHECKED_READS_BURST, refilledAt: 0, pending: new Set() };
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
  if (s.filter && s.db && !s.busy && s.filter.count > s.filter.capacity) sync(s, s.db, "load", Date.now());
}

/** Keys waiting for their endings past this many: the endings are dropped, and the next sync loads them whole. */
const MAX_PENDING = 1_000;

/** A key was created or changed (its HMAC is all the caller has): noted, its ending read at the next sync. */
export function noteChangedKey(hmac: string): void {
  noteKey(hmac);
  const s = STATE.current;
  if (!s) return;
  s.pending.add(hmac);
  if (s.pending.size > MAX_PENDING) s.endings = undefined;
}

/** A credential named a key: its last four characters are a key's ending. */
export function noteKeyEnding(lastFour: string): void {
  const s = STATE.current;
  s?.endings?.add(lastFour);
  s?.loadingEndings?.add(lastFour);
}

/** The reads of keys the filter advises against that are left now (the budget refilled to `nowMs`). */
function readsLeft(s: State, nowMs: number): number {
  // The clock stepped back: start the refill from now rather than wait for it to catch up.
  if (nowMs < s.refilledAt) s.refilledAt = nowMs;
  const refill = ((nowMs - s.refilledAt) / 1000) * UNCHECKED_READS_PER_SECOND;
  if (refill > 0) {
    s.tokens = Math.min(UNCHECKED_READS_BURST, s.tokens + refill);
    s.refilledAt = nowMs;
  }
  return s.tokens;
}

/** The state for `db`, the filter's load or catch-up started when one is due. */
function stateFor(db: Prisma, nowMs: number): State {
  let s = state();
  if (s.db !== db) {
    STATE.current = s = fresh();
    s.db = db;
  }
  // Endings lost (a row without one, too many keys waiting) are rebuilt by a load, as the filter is.
  if (!s.busy && nowMs >= s.nextSyncAt) sync(s, db, s.filter && s.endings ? "catch-up" : "load", nowMs);
  return s;
}

/**
 * Whether a well-formed credential ending in `lastFour` may be refused without its HMAC, let alone
 * a read: no key ends in those four characters (as far as the loads and the keys noted since
 * tell) and the reads the filter advises against are spent. It then gets what mayReadKey's
 * refusal gets.
 */
export function refusableUnread(db: Prisma, lastFour: string, nowMs: number): boolean {
  const s = stateFor(db, nowMs);
  return endingOfNoKey(s, lastFour) === true && readsLeft(s, nowMs) < 1;
}

/**
 * Whether no key ends in `lastFour`, as far as the loads and the keys noted since tell: undefined
 * when the endings cannot tell (none loaded), false while keys created lately wait for theirs.
 */
function endingOfNoKey(s: State, lastFour: string): boolean | undefined {
  if (!s.endings) return undefined;
  return s.pending.size === 0 && !s.endings.has(lastFour);
}

/** Spends one of the reads the filter advises against, if one is left. */
function spendRead(s: State, nowMs: number): boolean {
  if (readsLeft(s, nowMs) < 1) return false;
  s.tokens -= 1;
  return true;
}

/**
 * For a client over the limit of unknown keys: whether a credential ending in `lastFour` may be a
 * key's, and so worth its HMAC. Yes when some key ends so, or while keys created lately wait for
 * their endings; no while no endings are loaded (before the first load, or after they were
 * dropped until the next): the client's 429 then stands.
 */
export function mayEndAKey(db: Prisma, lastFour: string, nowMs: number): boolean {
  return endingOfNoKey(stateFor(db, nowMs), lastFour) === false;
}

/**
 * For a client over the limit of unknown keys: whether to read a credential it has not used here.
 * Only when the loaded filter says a key may have `hmac`, and a read of the budget is left, which
 * it spends: a blocked flood whose keys share a real key's ending then costs at most the budget's
 * reads for the filter's false positives, however fast it comes.
 */
export function mayReadForBlocked(db: Prisma, hmac: string, nowMs: number): boolean {
  const s = stateFor(db, nowMs);
  return s.filter?.has(hmac) === true && spendRead(s, nowMs);
}

/**
 * Whether to read the key named by `hmac` from `db`: yes when a key may have it, or while the
 * filter is not loaded yet (the first call starts the load), or within the budget of reads the
 * filter advises against. No: refuse it without a read (see the top of this file).
 */
export function mayReadKey(db: Prisma, hmac: string, nowMs: number): boolean {
  const s = stateFor(db, nowMs);
  return !s.filter || s.filter.has(hmac) || spendRead(s, nowMs);
}

/** Load the filter anew (the invalidation bus reconnected: messages may have been lost meanwhile). */
export function reloadKnownKeys(): void {
  const s = STATE.current;
  if (s?.db && !s.busy) sync(s, s.db, "load", Date.now());
}

/**
 * "load": every key's HMAC into a new filter (sized for twice the keys there are), page by page,
 * then swapped in. "catch-up": the keys created since the last sync, into the filter in use.
 */
function sync(s: State, db: Prisma, kind: "load" | "catch-up", nowMs: number): void {
  s.busy = true;
  const startedAt = Date.now();
  // Slack for a transaction that committed a key it created a while before, and for clocks.
  const createdSince = new Date(startedAt - CATCH_UP_SLACK_MS);
  void (async () => {
    let filter = s.filter!;
    let endings = s.endings;
    // Whether every row read had a usable ending (and, for a catch-up, the set it adds to is whole).
    let endingsWhole = kind === "load" || endings !== undefined;
    // The keys waiting for their endings when this sync starts: a load reads every row, a catch-up
    // theirs by HMAC. Keys noted after this moment wait for the next sync.
    const waiting = [...s.pending];
    const where: { createdAt?: { gte: Date } } = {};
    if (kind === "load") {
      filter = new HmacFilter(Math.max(MIN_CAPACITY, 2 * (await db.apiKey.count())));
      endings = new KeyEndings(filter.capacity);
      s.loading = filter;
      s.loadingEndings = endings;
    } else where.createdAt = { gte: s.createdSince! };
    let after: string | undefined;
    for (;;) {
      const page = await db.apiKey.findMany({
        select: { hmac: true, lastFour: true },
        where: after === undefined ? where : { ...where, hmac: { gt: after } },
        orderBy: { hmac: "asc" },
        take: LOAD_PAGE,
      });
      for (const row of page) {
        filter.add(row.hmac);
        if (!endings?.add(row.lastFour)) endingsWhole = false;
      }
      if (page.length < LOAD_PAGE) break;
      after = page[page.length - 1]!.hmac;
    }
    if (kind === "catch-up" && endings && waiting.length > 0) {
      for (let i = 0; i < waiting.length; i += LOAD_PAGE) {
        const rows = await db.apiKey.findMany({ select: { hmac: true, lastFour: true }, where: { hmac: { in: waiting.slice(i, i + LOAD_PAGE) } } });
        for (const row of rows) if (!endings.add(row.lastFour)) endingsWhole = false;
      }
    }
    // A key noted before this load began is in the database by now (noted after its commit).
    if (STATE.current === s) {
      s.filter = filter;
      s.createdSince = createdSince;
      s.nextSyncAt = nowMs + (Date.now() - startedAt) + CATCH_UP_MS;
      // A key waiting that the database no longer has ends in nothing to know of.
      for (const hmac of waiting) s.pending.delete(hmac);
      s.endings = endingsWhole ? endings : undefined;
    }
  })()
    .catch((err: unknown) => {
      s.nextSyncAt = nowMs + (Date.now() - startedAt) + RETRY_MS;
      logger.warn({ err: errorSummary(err), kind }, "could not read the known keys' HMACs; uncached keys are read as before until it succeeds");
    })
    .finally(() => {
      s.loading = undefined;
      s.loadingEndings = undefined;
      s.busy = false;
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
