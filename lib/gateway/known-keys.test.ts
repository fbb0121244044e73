import { createHash, randomBytes } from "node:crypto";
import { afterEach, expect, it, vi } from "vitest";
import type { Prisma } from "@/lib/db";
import {
  forgetKnownKeys,
  knownKeysReady,
  mayEndAKey,
  mayReadForBlocked,
  mayReadKey,
  noteChangedKey,
  noteKey,
  noteKeyEnding,
  refusableUnread,
  reloadKnownKeys,
  UNCHECKED_READS_BURST,
  UNCHECKED_READS_PER_SECOND,
} from "./known-keys";

// The filter of known HMACs on its own, over a stand-in database that holds `hmacs` and counts its
// reads; unknown-keys.test.ts runs it through authorizeKey on both engines.

const randomHmac = () => randomBytes(32).toString("hex");

/**
 * `hmacs` may grow after the load: a key written by a process that told this one nothing. With
 * `lastFour`, each row has its key's last four characters too (without: none, as an unusable row).
 */
function fakeDb(hmacs: string[], options: { fail?: boolean; lastFour?: (hmac: string) => string; createdAt?: (hmac: string) => Date } = {}) {
  const calls = { count: 0, pages: 0, since: [] as Date[] };
  const db = {
    apiKey: {
      async count() {
        calls.count += 1;
        if (options.fail) throw new Error("connection refused");
        return hmacs.length;
      },
      async findMany(args: { where: { hmac?: { gt?: string; in?: string[] }; createdAt?: { gte: Date } }; take?: number }) {
        calls.pages += 1;
        const since = args.where.createdAt?.gte;
        if (since) calls.since.push(since);
        const after = args.where.hmac?.gt;
        const among = args.where.hmac?.in;
        return [...hmacs]
          .sort()
          .filter((h) => after === undefined || h > after)
          .filter((h) => among === undefined || among.includes(h))
          .filter((h) => since === undefined || (options.createdAt?.(h) ?? new Date()) >= since)
          .slice(0, args.take)
          .map((hmac) => ({ hmac, lastFour: options.lastFour?.(hmac) }));
      },
    },
  } as unknown as Prisma;
  return { db, calls };
}

/** Spends the budget of reads the filter advises against, as of `now`. */
function spendReads(db: Prisma, now: number): void {
  while (mayReadKey(db, randomHmac(), now));
}

/** Waits until, with the budget spent, a credential ending in `lastFour` is refused without its HMAC (a sync under way has ended). */
async function refusableOnceSynced(db: Prisma, lastFour: string, at: number): Promise<void> {
  await vi.waitFor(() => {
    spendReads(db, at);
    expect(refusableUnread(db, lastFour, at)).toBe(true);
  });
}

async function loaded(db: Prisma, now: number) {
  expect(mayReadKey(db, randomHmac(), now)).toBe(true); // not loaded yet: read, and the load starts
  await vi.waitFor(() => expect(knownKeysReady()).toBe(true));
}

afterEach(() => forgetKnownKeys());

it("a key in the database is always read; a made-up one within the budget of unchecked reads, then refused without a read", async () => {
  const keys = Array.from({ length: 25_000 }, randomHmac);
  const { db, calls } = fakeDb(keys);
  const now = 1_000_000;
  await loaded(db, now);
  expect(calls.pages).toBe(3); // 10,000 a page

  const made = Array.from({ length: UNCHECKED_READS_BURST * 4 }, randomHmac).map((h) => mayReadKey(db, h, now));
  // Some made-up HMACs pass the filter as false positives (about 1 %) and are read without budget.
  const read = made.filter(Boolean).length;
  expect(read).toBeGreaterThanOrEqual(UNCHECKED_READS_BURST);
  expect(read).toBeLessThan(UNCHECKED_READS_BURST + 10);
  expect(made.slice(-50).filter(Boolean).length).toBeLessThan(5);

  // No false negatives, budget or not.
  expect(keys.every((h) => mayReadKey(db, h, now))).toBe(true);

  // The budget refills: UNCHECKED_READS_PER_SECOND a second.
  const later = Array.from({ length: UNCHECKED_READS_PER_SECOND * 3 }, randomHmac).map((h) => mayReadKey(db, h, now + 1000));
  expect(later.filter(Boolean).length).toBeGreaterThanOrEqual(UNCHECKED_READS_PER_SECOND);
  expect(later.filter(Boolean).length).toBeLessThan(UNCHECKED_READS_PER_SECOND + 10);
});

it("for a blocked client: only what may be a key, within the budget of reads, however fast the credentials come", async () => {
  const keys = Array.from({ length: 100 }, randomHmac);
  const ending = (hmac: string) => `B${String(keys.indexOf(hmac)).padStart(3, "0")}`;
  const { db } = fakeDb(keys, { lastFour: ending });
  const now = 7_000;
  // Before the filter and the endings are loaded: nothing (the client's 429 stands), and the load starts.
  expect(mayEndAKey(db, ending(keys[0]!), now)).toBe(false);
  expect(mayReadForBlocked(db, keys[0]!, now)).toBe(false);
  await vi.waitFor(() => expect(knownKeysReady()).toBe(true));
  expect(mayEndAKey(db, ending(keys[0]!), now)).toBe(true);
  expect(mayEndAKey(db, "zzzz", now)).toBe(false);
  // An HMAC no key has is not read, and spends nothing.
  for (let i = 0; i < UNCHECKED_READS_BURST; i++) expect(mayReadForBlocked(db, randomHmac(), now)).toBe(false);
  // A key's HMAC is read, each read spending the budget: a flood of them (or of the filter's false
  // positives) stops at the budget until it refills.
  const reads = Array.from({ length: UNCHECKED_READS_BURST * 2 }, (_, i) => mayReadForBlocked(db, keys[i % keys.length]!, now));
  expect(reads.filter(Boolean).length).toBe(UNCHECKED_READS_BURST);
  expect(mayReadForBlocked(db, keys[0]!, now + 1000)).toBe(true);
});

it("a key noted after the load (created here, or told of by the bus) is read even with the budget spent", async () => {
  const { db } = fakeDb([randomHmac()]);
  const now = 5_000;
  await loaded(db, now);
  spendReads(db, now);
  const created = randomHmac();
  expect(mayReadKey(db, created, now)).toBe(false);
  noteKey(created);
  expect(mayReadKey(db, created, now)).toBe(true);
});

it("with the budget spent, a credential whose last four no key has is refused without its HMAC; a key's ending never is", async () => {
  // Each key's ending: A000 to A999 (bits apart from those of zzzz, yyyy, and each other).
  const keys = Array.from({ length: 1000 }, randomHmac);
  const ending = (hmac: string) => `A${String(keys.indexOf(hmac)).padStart(3, "0")}`;
  const { db } = fakeDb(keys, { lastFour: ending });
  const now = 9_000;
  await loaded(db, now);
  const unused = "zzzz"; // not hex: no key here ends so
  expect(refusableUnread(db, unused, now)).toBe(false); // reads left: the filter decides, HMAC first
  spendReads(db, now);
  expect(refusableUnread(db, unused, now)).toBe(true);
  expect(keys.some((h) => refusableUnread(db, ending(h), now))).toBe(false);
  // A credential that named a key here (a key the loads did not read) makes its ending known.
  noteKeyEnding("zzzz");
  expect(refusableUnread(db, "zzzz", now)).toBe(false);
  // Without its budget of a second later, the refill decides again.
  expect(refusableUnread(db, "yyyy", now + 1000)).toBe(false);
});

it("a key created or changed waits for its ending, read by its HMAC at the next catch-up, and is never refused for it", async () => {
  const keys = [randomHmac()];
  const created = randomHmac();
  // The new key's row is older than any catch-up looks back (a long transaction, another clock).
  const { db, calls } = fakeDb(keys, { lastFour: (h) => (h === created ? "BBBB" : "AAAA"), createdAt: (h) => new Date(h === created ? 0 : Date.now()) });
  const now = Date.now();
  await loaded(db, now);
  spendReads(db, now);
  expect(refusableUnread(db, "BBBB", now)).toBe(true);
  // Created elsewhere and told by the bus: only its HMAC is known, not how it ends.
  keys.push(created);
  noteChangedKey(created);
  expect(refusableUnread(db, "BBBB", now)).toBe(false);
  expect(refusableUnread(db, "CCCC", now)).toBe(false);
  expect(mayReadKey(db, created, now)).toBe(true);
  // The catch-up 30 s on reads it by its HMAC, though its row is too old for the catch-up's window.
  const later = now + 31_000;
  refusableUnread(db, "CCCC", later);
  await vi.waitFor(() => expect(calls.since).toHaveLength(1));
  await refusableOnceSynced(db, "CCCC", later);
  expect(refusableUnread(db, "BBBB", later)).toBe(false);
});

it("too many keys waiting for their endings: they are dropped, and the next sync loads them whole", async () => {
  const keys = [randomHmac()];
  const { db, calls } = fakeDb(keys, { lastFour: () => "AAAA" });
  const now = Date.now();
  await loaded(db, now);
  for (let i = 0; i <= 1000; i++) noteChangedKey(randomHmac());
  const loads = calls.count;
  const later = now + 31_000;
  expect(refusableUnread(db, "CCCC", later)).toBe(false);
  await vi.waitFor(() => expect(calls.count).toBe(loads + 1)); // a load (it counts the keys), not a catch-up
  await refusableOnceSynced(db, "CCCC", later);
});

it("rows without a usable ending leave the endings unused: every credential goes the filter's way", async () => {
  const { db } = fakeDb([randomHmac()]);
  const now = 7_000;
  await loaded(db, now);
  spendReads(db, now);
  expect(refusableUnread(db, "BBBB", now)).toBe(false);
});

it("a key no one told it of is found by the catch-up read of keys created lately, or by a reload when the bus reconnects", async () => {
  const hmacs = [randomHmac()];
  const { db, calls } = fakeDb(hmacs, { lastFour: () => "AAAA" });
  const now = Date.now();
  await loaded(db, now);
  spendReads(db, now);
  const quiet = randomHmac();
  hmacs.push(quiet);
  expect(mayReadKey(db, quiet, now)).toBe(false);
  // 30 s on, the next uncached key starts a catch-up from a minute before the load began.
  const later = now + 31_000;
  mayReadKey(db, randomHmac(), later);
  await vi.waitFor(() => expect(calls.since).toHaveLength(1));
  expect(calls.since[0]!.getTime()).toBeLessThanOrEqual(now - 59_000);
  await new Promise((resolve) => setTimeout(resolve, 20));
  spendReads(db, later);
  expect(mayReadKey(db, quiet, later)).toBe(true);

  const lost = randomHmac();
  hmacs.push(lost);
  expect(mayReadKey(db, lost, later)).toBe(false);
  const counted = calls.count;
  reloadKnownKeys();
  await vi.waitFor(() => expect(calls.count).toBe(counted + 1));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(mayReadKey(db, lost, later)).toBe(true);
});

it("a key noted again and again is counted once: the filter does not outgrow itself", async () => {
  const { db, calls } = fakeDb([randomHmac()]);
  await loaded(db, 0);
  const busy = Array.from({ length: 100 }, randomHmac);
  for (let round = 0; round < 1000; round++) for (const h of busy) noteKey(h);
  expect(calls.count).toBe(1);
});

it("false positives stay near 1 % at the filter's capacity", async () => {
  const { db } = fakeDb([]);
  await loaded(db, 0);
  for (let i = 0; i < 65_536; i++) noteKey(createHash("sha256").update(String(i)).digest("hex"));
  // Spend the budget first: what is read after that passed the filter.
  spendReads(db, 0);
  const passed = Array.from({ length: 20_000 }, randomHmac).filter((h) => mayReadKey(db, h, 0)).length;
  expect(passed / 20_000).toBeLessThan(0.03);
});

it("past its capacity the filter is loaded again, larger, and answers from the old one meanwhile", async () => {
  const keys = Array.from({ length: 1000 }, randomHmac);
  const { db, calls } = fakeDb(keys);
  await loaded(db, 0);
  expect(calls.count).toBe(1);
  for (let i = 0; i <= 65_536; i++) noteKey(createHash("sha256").update(`grow ${i}`).digest("hex"));
  expect(calls.count).toBe(2);
  expect(keys.every((h) => mayReadKey(db, h, 0))).toBe(true);
});

it("until the filter loads, and while it cannot (the database down), every key is read; the load is retried", async () => {
  const down = fakeDb([], { fail: true });
  expect(mayReadKey(down.db, randomHmac(), 0)).toBe(true);
  await vi.waitFor(() => expect(down.calls.count).toBe(1));
  await new Promise((resolve) => setTimeout(resolve, 10));
  for (let i = 0; i < UNCHECKED_READS_BURST * 2; i++) expect(mayReadKey(down.db, randomHmac(), 1000)).toBe(true);
  expect(down.calls.count).toBe(1); // retried after 5 s, not on every request
  expect(knownKeysReady()).toBe(false);
  expect(mayReadKey(down.db, randomHmac(), 6000)).toBe(true);
  await vi.waitFor(() => expect(down.calls.count).toBe(2));
});

it("another database (tests, a reopened handle) starts over with its own keys", async () => {
  const a = fakeDb([randomHmac()]);
  await loaded(a.db, 0);
  const onlyInB = randomHmac();
  const b = fakeDb([onlyInB]);
  expect(mayReadKey(b.db, randomHmac(), 0)).toBe(true);
  expect(knownKeysReady()).toBe(false);
  await vi.waitFor(() => expect(knownKeysReady()).toBe(true));
  spendReads(b.db, 0);
  expect(mayReadKey(b.db, onlyInB, 0)).toBe(true);
});
