import { randomUUID } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { ledgerBalance } from "@/lib/billing/ledger";
import { deriveSecretKeys } from "@/lib/credentials";
import type { Database } from "@/lib/db";
import { createOrder } from "@/lib/orders";
import { seed } from "@/lib/seed";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { usageRecord } from "@/test/usage-record";
import { flushUsage, recordUsage, restoreUnwrittenUsage, saveUnwrittenUsage, usageWriterStats, type UsageRecord } from "./usage-writer";

// Every write to a file passes through here, so a test can count the journal's writes.
const fsWrites = vi.hoisted(() => ({ data: [] as string[] }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const writeSync = ((fd: number, data: unknown, ...rest: unknown[]) => {
    fsWrites.data.push(String(data));
    return (fs.writeSync as (...args: unknown[]) => number)(fd, data, ...rest);
  }) as typeof fs.writeSync;
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

/** The writes since `from` that carry any of `records`' request ids. */
function journalWrites(from: number, records: { requestId: string }[]): string[] {
  return fsWrites.data.slice(from).filter((data) => records.some((r) => data.includes(r.requestId)));
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const secret = "w".repeat(40);
const keys = deriveSecretKeys(secret);

describeEachEngine("usage writer", (engine) => {
  let t: TestDatabase;
  let spill: string;

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await seed(t.db.prisma, { gatehouseSecret: secret }, { demo: false });
    spill = mkdtempSync(join(tmpdir(), "gatehouse-usage-spill-"));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(spill, { recursive: true, force: true });
  });

  async function newOrder() {
    const created = await createOrder(t.db.prisma, {
      email: `writer-${randomUUID()}@example.com`,
      planName: "Starter 30",
      source: "CLI",
      delivery: "handout",
      actor: { label: "cli" },
      keys,
    });
    return { orderId: created.order.id, keyId: created.apiKey.id, customerId: created.customerId, credit: created.plan.creditMicros };
  }

  const usage = usageRecord;

  async function figures(orderId: string) {
    const db = t.db.prisma;
    const [logs, debits, order, deadLetters, rollups] = await Promise.all([
      db.requestLog.findMany({ where: { orderId }, select: { requestId: true, model: true, costMicros: true } }),
      db.ledgerEntry.findMany({ where: { orderId, kind: "DEBIT" }, select: { requestId: true, amountMicros: true, requests: true } }),
      db.order.findUniqueOrThrow({ where: { id: orderId }, select: { balanceMicros: true } }),
      db.usageDeadLetter.findMany({ select: { requestId: true, billed: true, error: true } }),
      db.usageDaily.aggregate({ where: { orderId }, _sum: { requests: true, costMicros: true } }),
    ]);
    // The debits of a batch are one entry per order and UTC day; what counts is the requests they
    // pay for, and that they add up to the balance.
    const requestsDebited = debits.reduce((sum, d) => sum + d.requests, 0);
    const debited = debits.reduce((sum, d) => sum - d.amountMicros, 0n);
    expect(await ledgerBalance(db, orderId)).toBe(order.balanceMicros);
    return { logs, debits, requestsDebited, debited, balance: order.balanceMicros, deadLetters, rollups: rollups._sum };
  }

  const database = () => t.db;

  /** The order's `n` requests (37 µ$ each) are logged, rolled up and debited once each. */
  async function expectCountedOnce(order: { orderId: string; credit: bigint }, n: number) {
    const f = await figures(order.orderId);
    expect(f.logs).toHaveLength(n);
    expect(f.requestsDebited).toBe(n);
    expect(f.balance).toBe(order.credit - BigInt(n) * 37n);
    expect(f.rollups).toEqual({ requests: n, costMicros: BigInt(n) * 37n });
  }

  it("writes every good record of a batch around records the database refuses, and bills the refused ones", async () => {
    const order = await newOrder();
    const good = Array.from({ length: 40 }, () => usage(order));
    // Text PostgreSQL cannot store is cleaned, not refused: the record is written.
    const nul = usage(order, { model: "gpt-4.1-mini\u0000", clientIp: "\ud800" });
    // An out-of-range count is refused by the log row's integer column: the record stands alone.
    const huge = usage(order, { inputTokens: 3_000_000_000, costMicros: 1000n });
    const batch = [...good.slice(0, 13), nul, ...good.slice(13, 29), huge, ...good.slice(29)];
    const before = usageWriterStats().deadLettered;
    for (const r of batch) recordUsage(database, r);
    await flushUsage({ all: true });

    const f = await figures(order.orderId);
    const logged = new Set(f.logs.map((l) => l.requestId));
    for (const r of [...good, nul]) expect(logged.has(r.requestId)).toBe(true);
    expect(logged.has(huge.requestId)).toBe(false);
    expect(f.logs.find((l) => l.requestId === nul.requestId)?.model).toBe("gpt-4.1-mini\uFFFD");
    // Money: every record is debited once, the refused one included.
    expect(f.requestsDebited).toBe(42);
    expect(f.balance).toBe(order.credit - 41n * 37n - 1000n);
    const letter = f.deadLetters.find((d) => d.requestId === huge.requestId);
    expect(letter).toMatchObject({ billed: true });
    expect(letter?.error).toMatch(/out of range/i);
    expect(usageWriterStats().deadLettered).toBe(before + 1);
    expect(usageWriterStats().queued).toBe(0);
  });

  it("stores every column as recorded: failed attempts as JSON, absent values as NULL", async () => {
    const order = await newOrder();
    const failover = [{ channelId: "chn_a", channel: "first", outcome: "HTTP 503", ms: 12 }];
    const retried = usage(order, { failover, ttfbMs: null, stream: true, estimated: true, status: 201, requestedModel: "fast", cacheReadTokens: 5 });
    const plain = usage(order);
    for (const r of [retried, plain]) recordUsage(database, r);
    await flushUsage({ all: true });
    const rows = await t.db.prisma.requestLog.findMany({ where: { requestId: { in: [retried.requestId, plain.requestId] } }, omit: { id: true } });
    const byId = new Map(rows.map((row) => [row.requestId, row]));
    expect(byId.get(retried.requestId)).toEqual(retried);
    expect(byId.get(plain.requestId)?.failover).toBeNull();
    expect(byId.get(plain.requestId)?.requestedModel).toBeNull();
    expect(byId.get(plain.requestId)?.ttfbMs).toBe(3);
  });

  it("stores a record saved for the next start as it stores one written at once: saved now as its row, or by an earlier version as an object", async () => {
    const order = await newOrder();
    const failover = [{ channelId: "chn_a", channel: "first", outcome: "timeout", ms: 40 }];
    const saved = usage(order, {
      failover,
      ttfbMs: null,
      stream: true,
      estimated: true,
      status: 201,
      requestedModel: "fast",
      cacheWriteTokens: 7,
      costMicros: 123n,
    });
    const older = usage(order, { requestedModel: "fast", clientIp: "203.0.113.4" });
    const down: () => Database = () => ({
      ...t.db,
      transaction: () => Promise.reject(Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" })),
    });
    await restoreUnwrittenUsage(database, spill); // where saved usage goes (server.ts does this first)
    recordUsage(down, saved);
    await expect(saveUnwrittenUsage({ writeForMs: 100 })).rejects.toThrow(/saved 1 usage records/);
    const folder = join(spill, "unwritten-usage");
    const [file] = readdirSync(folder);
    const [header, row] = readFileSync(join(folder, file!), "utf8").split("\n");
    expect(file).toMatch(/\.rows$/);
    expect(JSON.parse(header!)).toMatchObject({ columns: expect.arrayContaining(["requestId", "costMicros", "createdAt"]) });
    expect(JSON.parse(row!)).toBeInstanceOf(Array);
    writeFileSync(join(folder, "0-older.jsonl"), JSON.stringify({ ...older, costMicros: older.costMicros.toString() }) + "\n");
    expect(await restoreUnwrittenUsage(database, spill)).toBe(2);
    const rows = await t.db.prisma.requestLog.findMany({ where: { requestId: { in: [saved.requestId, older.requestId] } }, omit: { id: true } });
    const byId = new Map(rows.map((row) => [row.requestId, row]));
    expect(byId.get(saved.requestId)).toEqual(saved);
    expect(byId.get(older.requestId)).toEqual(older);
  });

  it("reads a saved file's rows by the columns its first line names, and keeps a file with a line it cannot read", async () => {
    const order = await newOrder();
    await restoreUnwrittenUsage(database, spill);
    const folder = join(spill, "unwritten-usage");
    const [a, b] = [usage(order), usage(order, { model: "other-model", status: 500, errorCode: "upstream_error" })];
    // Written by a later version: its columns in another order, one more column it added.
    const stored = (r: UsageRecord): Record<string, unknown> => ({
      ...r,
      costMicros: r.costMicros.toString(),
      createdAt: r.createdAt.toISOString(),
      requestedModel: null,
    });
    const columns = ["addedLater", ...Object.keys(stored(a)).reverse()];
    const row = (r: UsageRecord) => JSON.stringify(columns.map((c) => (c === "addedLater" ? 1 : stored(r)[c])));
    writeFileSync(join(folder, "1-later.rows"), [JSON.stringify({ columns }), row(a), "not json", JSON.stringify([1, 2]), row(b)].join("\n") + "\n");
    expect(await restoreUnwrittenUsage(database, spill)).toBe(2);
    const rows = await t.db.prisma.requestLog.findMany({ where: { requestId: { in: [a.requestId, b.requestId] } }, omit: { id: true } });
    expect(new Map(rows.map((r) => [r.requestId, r]))).toEqual(
      new Map([
        [a.requestId, { ...a, requestedModel: null }],
        [b.requestId, { ...b, requestedModel: null }],
      ]),
    );
    // Its two bad lines: the file stays, renamed, and is not read again.
    expect(readdirSync(folder)).toEqual(["1-later.rows.unreadable"]);
    expect(await restoreUnwrittenUsage(database, spill)).toBe(0);
    rmSync(join(folder, "1-later.rows.unreadable"));
  });

  it("writes a record naming a channel the database no longer has with its batch, keeping the id it logged", async () => {
    const order = await newOrder();
    // A channel removed while its request was answered: the log keeps bare ids, no foreign keys.
    const orphan = usage(order, { channelId: `chn_gone_${randomUUID()}` });
    const others = Array.from({ length: 5 }, () => usage(order));
    const before = usageWriterStats().deadLettered;
    for (const r of [...others.slice(0, 2), orphan, ...others.slice(2)]) recordUsage(database, r);
    await flushUsage({ all: true });
    const row = await t.db.prisma.requestLog.findUnique({ where: { requestId: orphan.requestId }, select: { channelId: true } });
    expect(row).toEqual({ channelId: orphan.channelId });
    expect(usageWriterStats().deadLettered).toBe(before);
    await expectCountedOnce(order, 6);
  });

  it("debits a batch once per order and UTC day, each entry saying how many requests it pays for", async () => {
    const [a, b] = [await newOrder(), await newOrder()];
    const lateA = Array.from({ length: 3 }, (_, i) => usage(a, { createdAt: new Date(`2026-12-04T23:59:5${i}.000Z`), costMicros: 100n }));
    const earlyA = Array.from({ length: 4 }, (_, i) => usage(a, { createdAt: new Date(`2026-12-05T00:00:0${i}.000Z`), costMicros: 10n }));
    const onB = Array.from({ length: 2 }, () => usage(b, { createdAt: new Date("2026-12-05T08:00:00.000Z"), costMicros: 1n }));
    const free = usage(a, { createdAt: new Date("2026-12-05T00:00:09.000Z"), costMicros: 0n });
    for (const r of [...earlyA, ...lateA, ...onB, free]) recordUsage(database, r);
    await flushUsage({ all: true });
    const entries = await t.db.prisma.ledgerEntry.findMany({
      where: { orderId: { in: [a.orderId, b.orderId] }, kind: "DEBIT" },
      orderBy: [{ orderId: "asc" }, { createdAt: "asc" }],
      select: { orderId: true, amountMicros: true, requests: true, requestId: true, createdAt: true },
    });
    const expected = [
      // Dated by the entry's last request.
      { orderId: a.orderId, amountMicros: -300n, requests: 3, requestId: null, createdAt: new Date("2026-12-04T23:59:52.000Z") },
      { orderId: a.orderId, amountMicros: -40n, requests: 4, requestId: null, createdAt: new Date("2026-12-05T00:00:03.000Z") },
      { orderId: b.orderId, amountMicros: -2n, requests: 2, requestId: null, createdAt: new Date("2026-12-05T08:00:00.000Z") },
    ];
    expect(entries).toEqual(expected.sort((x, y) => x.orderId.localeCompare(y.orderId) || x.createdAt.getTime() - y.createdAt.getTime()));
    expect((await figures(a.orderId)).balance).toBe(a.credit - 340n);
    expect((await figures(b.orderId)).balance).toBe(b.credit - 2n);
  });

  it("counts a record once when it comes twice in one batch (left in a journal and a saved file both)", async () => {
    const order = await newOrder();
    const twice = usage(order);
    const others = Array.from({ length: 3 }, () => usage(order));
    for (const r of [twice, ...others, { ...twice }]) recordUsage(database, r);
    await flushUsage({ all: true });
    await expectCountedOnce(order, 4);
  });

  it("counts nothing twice when records are written again", async () => {
    const order = await newOrder();
    // The statements of each batch's attempts, to see which insert wrote its log rows.
    let statements: string[] = [];
    const watched: () => Database = () => ({
      ...t.db,
      transaction: (fn) =>
        t.db.transaction((query) =>
          fn((text, params) => {
            statements.push(text);
            return query(text, params);
          }),
        ),
    });
    const logInserts = () =>
      statements.filter((text) => text.startsWith("INSERT INTO request_logs")).map((text) => (text.includes("ON CONFLICT") ? "tolerant" : "plain"));
    const batch = Array.from({ length: 10 }, () => usage(order));
    for (const r of batch) recordUsage(watched, r);
    await flushUsage({ all: true });
    // New records: one plain insert, without a conflict check or the ids back.
    expect(logInserts()).toEqual(["plain"]);
    // The same records again, mixed with new ones (a retry after a lost commit, a restore).
    statements = [];
    const more = Array.from({ length: 5 }, () => usage(order));
    for (const r of [...batch, ...more]) recordUsage(watched, r);
    await flushUsage({ all: true });
    // The plain insert runs into a log row that is there, and the batch is written again, tolerantly.
    expect(logInserts()).toEqual(["plain", "tolerant"]);
    await expectCountedOnce(order, 15);
  });

  it("keeps records while the database is down, and saves them for the next start at shutdown", async () => {
    const order = await newOrder();
    const down: () => Database = () => ({
      ...t.db,
      transaction: () => Promise.reject(Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" })),
    });
    const records = Array.from({ length: 7 }, () => usage(order));
    for (const r of records) recordUsage(down, r);
    await expect(flushUsage({ all: true })).rejects.toThrow("connection refused");
    expect(usageWriterStats().queued).toBe(7);

    // Shutdown with the database still down: the records go to a file in the data directory.
    await restoreUnwrittenUsage(down, spill); // sets the data directory; nothing to restore yet
    await expect(saveUnwrittenUsage({ writeForMs: 300 })).rejects.toThrow(/saved 7 usage records/);
    expect(usageWriterStats().queued).toBe(0);
    const saved = readdirSync(join(spill, "unwritten-usage"));
    expect(saved).toHaveLength(1);
    expect((await figures(order.orderId)).logs).toHaveLength(0);

    // The next start writes them, once, and removes the file.
    expect(await restoreUnwrittenUsage(database, spill)).toBe(7);
    expect(await restoreUnwrittenUsage(database, spill)).toBe(0);
    expect(readdirSync(join(spill, "unwritten-usage"))).toEqual([]);
    const f = await figures(order.orderId);
    expect(f.logs).toHaveLength(7);
    expect(f.balance).toBe(order.credit - 7n * 37n);
  });

  it("treats an error of the database itself (authentication, a missing table) as an outage, never as bad data", async () => {
    const order = await newOrder();
    const before = usageWriterStats().deadLettered;
    for (const [code, severity] of [
      ["28P01", "FATAL"], // password authentication failed
      ["42P01", "ERROR"], // relation does not exist
      ["57P01", "FATAL"], // terminating connection due to administrator command
    ]) {
      const failing: () => Database = () => ({
        ...t.db,
        transaction: () => Promise.reject(Object.assign(new Error(`database says ${code}`), { code, severity })),
      });
      const records = Array.from({ length: 3 }, () => usage(order));
      for (const r of records) recordUsage(failing, r);
      await expect(flushUsage({ all: true })).rejects.toThrow(code);
      expect(usageWriterStats()).toMatchObject({ queued: 3, deadLettered: before });
      // The database answers again: every record is written, none was set aside.
      for (const r of records.slice(0, 1)) recordUsage(database, { ...r, requestId: `${r.requestId}-probe` });
      await flushUsage({ all: true });
      expect(usageWriterStats()).toMatchObject({ queued: 0, deadLettered: before });
    }
    expect((await figures(order.orderId)).logs).toHaveLength(12);
  });

  it("writes at the next start what a killed process had queued, from its journal; a running process's journal is left alone", async () => {
    const order = await newOrder();
    const down: () => Database = () => ({
      ...t.db,
      transaction: () => Promise.reject(Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" })),
    });
    await restoreUnwrittenUsage(database, spill); // starts the journal (server.ts does this first)
    const journalDir = join(spill, "usage-journal");
    const records = Array.from({ length: 5 }, () => usage(order));
    for (const r of records) recordUsage(down, r);
    await expect(flushUsage({ all: true })).rejects.toThrow("connection refused");
    const journaled = readdirSync(journalDir).map((name) => readFileSync(join(journalDir, name), "utf8"));
    for (const r of records) expect(journaled.join("")).toContain(r.requestId);

    // A kill: the process is gone with its queue and saved nothing. Its journal is what is left
    // (copied here under the pid of a process that has exited, as the killed one's would be).
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    journaled.forEach((text, i) => writeFileSync(join(journalDir, `${dead}-0badf00d-${String(i).padStart(8, "0")}.rows`), text));
    const running = `${process.pid}-1badf00d-00000000.rows`;
    writeFileSync(join(journalDir, running), journaled.join(""));
    await expect(saveUnwrittenUsage({ writeForMs: 100 })).rejects.toThrow(/saved 5 usage records/);
    rmSync(join(spill, "unwritten-usage"), { recursive: true, force: true });
    expect((await figures(order.orderId)).logs).toHaveLength(0);

    expect(await restoreUnwrittenUsage(database, spill)).toBe(5);
    expect(readdirSync(journalDir)).toEqual([running]);
    const f = await figures(order.orderId);
    expect(f.logs.map((l) => l.requestId).sort()).toEqual(records.map((r) => r.requestId).sort());
    expect(f.requestsDebited).toBe(5);
    expect(f.balance).toBe(order.credit - 5n * 37n);
    rmSync(join(journalDir, running));

    // Written as usual, the journal keeps nothing.
    for (let i = 0; i < 3; i++) recordUsage(database, usage(order));
    await flushUsage({ all: true });
    expect(readdirSync(journalDir)).toEqual([]);
  });

  it("journals the records of one event-loop turn in one write, at the end of that turn", async () => {
    const order = await newOrder();
    await restoreUnwrittenUsage(database, spill);
    const journalDir = join(spill, "usage-journal");
    const journalText = () =>
      readdirSync(journalDir)
        .map((name) => readFileSync(join(journalDir, name), "utf8"))
        .join("");
    const from = fsWrites.data.length;
    const records = Array.from({ length: 100 }, () => usage(order));
    for (const r of records) recordUsage(database, r);
    expect(journalWrites(from, records)).toEqual([]);
    await nextTurn();
    const writes = journalWrites(from, records);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split("\n").filter(Boolean)).toHaveLength(100);
    for (const r of records) expect(journalText()).toContain(r.requestId);

    // Records of the next turns go in one write per turn.
    const later = [usage(order), usage(order)];
    recordUsage(database, later[0]!);
    await nextTurn();
    recordUsage(database, later[1]!);
    await nextTurn();
    expect(journalWrites(from, later)).toHaveLength(2);

    await flushUsage({ all: true });
    expect(readdirSync(journalDir)).toEqual([]);
    expect((await figures(order.orderId)).logs).toHaveLength(102);
  });

  it("puts records queued in this turn in the journal file a flush seals, and nothing of a later turn", async () => {
    const order = await newOrder();
    await restoreUnwrittenUsage(database, spill);
    const journalDir = join(spill, "usage-journal");
    const before = usage(order);
    recordUsage(database, before);
    await nextTurn(); // the journal's current file exists and holds `before`
    const [current] = readdirSync(journalDir);
    const sealedWith = Array.from({ length: 5 }, () => usage(order));
    for (const r of sealedWith) recordUsage(database, r);
    // The flush takes the whole queue and seals the current file at once, in this turn.
    const flushing = flushUsage();
    const after = Array.from({ length: 3 }, () => usage(order));
    for (const r of after) recordUsage(database, r);
    const sealed = readFileSync(join(journalDir, current!), "utf8");
    for (const r of [before, ...sealedWith]) expect(sealed).toContain(r.requestId);
    for (const r of after) expect(sealed).not.toContain(r.requestId);
    await flushing;
    await nextTurn();
    // The sealed file went with its batch; the next file holds only what came after the seal.
    const left = readdirSync(journalDir);
    expect(left).not.toContain(current);
    expect(left).toHaveLength(1);
    // The file's first line names the columns of the rows below it.
    expect(readFileSync(join(journalDir, left[0]!), "utf8").split("\n").filter(Boolean)).toHaveLength(1 + 3);
    await flushUsage({ all: true });
    expect(readdirSync(journalDir)).toEqual([]);
    const f = await figures(order.orderId);
    expect(f.logs).toHaveLength(9);
    expect(f.requestsDebited).toBe(9);
  });

  it("a shutdown right after queuing saves the records of this turn; the next start counts each once", async () => {
    const order = await newOrder();
    const down: () => Database = () => ({
      ...t.db,
      transaction: () => Promise.reject(Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" })),
    });
    await restoreUnwrittenUsage(down, spill);
    const records = Array.from({ length: 6 }, () => usage(order));
    for (const r of records) recordUsage(down, r);
    // In the same turn: nothing of the journal has been written yet.
    await expect(saveUnwrittenUsage({ writeForMs: 100 })).rejects.toThrow(/saved 6 usage records/);
    expect(readdirSync(join(spill, "usage-journal"))).toEqual([]);
    await nextTurn();
    expect(readdirSync(join(spill, "usage-journal"))).toEqual([]);
    expect(await restoreUnwrittenUsage(database, spill)).toBe(6);
    const f = await figures(order.orderId);
    expect(f.logs).toHaveLength(6);
    expect(f.balance).toBe(order.credit - 6n * 37n);
  });

  /** Runs a process that starts the journal in `dataDir` on a database that is down, queues `records`, then runs `then` in the same turn. */
  function queueInChild(dataDir: string, records: UsageRecord[], then: string): Promise<NodeJS.Signals | number | null> {
    const source = `
      import { writeFileSync } from "node:fs";
      import { recordUsage, restoreUnwrittenUsage } from ${JSON.stringify(join(import.meta.dirname, "usage-writer.ts"))};
      const down = () => ({ transaction: () => Promise.reject(Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" })) });
      await restoreUnwrittenUsage(down, ${JSON.stringify(dataDir)});
      const records = ${JSON.stringify(records.map((r) => ({ ...r, costMicros: String(r.costMicros) })))};
      for (const r of records) recordUsage(down, { ...r, costMicros: BigInt(r.costMicros), createdAt: new Date(r.createdAt) });
      ${then}`;
    const child = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/node-hooks.mjs", "--input-type=module", "-e", source], {
      cwd: join(import.meta.dirname, "../.."),
      stdio: "ignore",
    });
    const stray = setTimeout(() => child.kill("SIGKILL"), 20_000);
    return new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        clearTimeout(stray);
        resolve(signal ?? code);
      }),
    );
  }

  /** Runs `body` with a data directory of its own; the writer's journal goes back to the suite's afterwards. */
  async function inOwnDataDir(body: (dataDir: string) => Promise<void>): Promise<void> {
    const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-usage-child-"));
    try {
      await body(dataDir);
    } finally {
      await restoreUnwrittenUsage(database, spill);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it("a process killed (SIGKILL) once the turn that queued its records ended loses none of them", async () => {
    const order = await newOrder();
    await inOwnDataDir(async (dataDir) => {
      const records = Array.from({ length: 20 }, () => usage(order));
      const ended = await queueInChild(dataDir, records, `setImmediate(() => process.kill(process.pid, "SIGKILL"));`);
      expect(ended).toBe("SIGKILL");
      expect(existsSync(join(dataDir, "unwritten-usage"))).toBe(false);
      expect(await restoreUnwrittenUsage(database, dataDir)).toBe(20);
      expect(await restoreUnwrittenUsage(database, dataDir)).toBe(0);
      const f = await figures(order.orderId);
      expect(f.logs.map((l) => l.requestId).sort()).toEqual(records.map((r) => r.requestId).sort());
      expect(f.balance).toBe(order.credit - 20n * 37n);
    });
  }, 40_000);

  it("a process that exits in the turn that queued its records, unable to save them, leaves them in its journal", async () => {
    const order = await newOrder();
    await inOwnDataDir(async (dataDir) => {
      const records = Array.from({ length: 20 }, () => usage(order));
      // A file where the folder of saved usage would go: saving at exit fails.
      const blocked = `writeFileSync(${JSON.stringify(join(dataDir, "unwritten-usage"))}, ""); process.exit(0);`;
      expect(await queueInChild(dataDir, records, blocked)).toBe(0);
      rmSync(join(dataDir, "unwritten-usage"));
      expect(await restoreUnwrittenUsage(database, dataDir)).toBe(20);
      const f = await figures(order.orderId);
      expect(f.logs).toHaveLength(20);
      expect(f.balance).toBe(order.credit - 20n * 37n);
    });
  }, 40_000);

  it("queues saved usage for retry when the database does not answer at start", async () => {
    const order = await newOrder();
    const down: () => Database = () => ({
      ...t.db,
      transaction: () => Promise.reject(Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" })),
    });
    const records = Array.from({ length: 4 }, () => usage(order));
    for (const r of records) recordUsage(down, r);
    await expect(flushUsage({ all: true })).rejects.toThrow("connection refused");
    await expect(saveUnwrittenUsage({ writeForMs: 100 })).rejects.toThrow(/saved 4 usage records/);
    expect(await restoreUnwrittenUsage(down, spill)).toBe(4);
    expect(readdirSync(join(spill, "unwritten-usage"))).toEqual([]);
    expect(usageWriterStats().queued).toBe(4);
    recordUsage(database, usage(order));
    await flushUsage({ all: true });
    expect((await figures(order.orderId)).logs).toHaveLength(5);
  });

  it("property: with arbitrary text and counts, every record is written or set aside, and every cost is debited once", async () => {
    const order = await newOrder();
    let expectedSpend = 0n;
    let total = 0;
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), fc.constantFrom("\u0000", "\ud800x", "a\u0007b", "x".repeat(10_000)));
    const count = fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(2 ** 31, 2 ** 40));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            model: fc.option(text),
            clientIp: fc.option(text),
            errorCode: fc.option(text),
            inputTokens: count,
            cost: fc.bigInt({ min: 0n, max: 10_000n }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        async (rows) => {
          const records = rows.map((r) =>
            usage(order, { model: r.model, clientIp: r.clientIp, errorCode: r.errorCode, inputTokens: r.inputTokens, costMicros: r.cost }),
          );
          for (const r of records) {
            expectedSpend += r.costMicros;
            recordUsage(database, r);
          }
          total += records.length;
          await flushUsage({ all: true });
          const db = t.db.prisma;
          const ids = records.map((r) => r.requestId);
          const [logged, letters] = await Promise.all([
            db.requestLog.count({ where: { requestId: { in: ids } } }),
            db.usageDeadLetter.count({ where: { requestId: { in: ids } } }),
          ]);
          expect(logged + letters).toBe(records.length);
          expect(usageWriterStats().queued).toBe(0);
        },
      ),
      { numRuns: 25 },
    );
    const f = await figures(order.orderId);
    expect(f.requestsDebited).toBeLessThanOrEqual(total);
    expect(f.balance).toBe(order.credit - expectedSpend);
    expect(f.debited).toBe(expectedSpend);
    expect(existsSync(join(spill, "usage-dead-letters.jsonl"))).toBe(false);
  });
});
