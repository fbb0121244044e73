import { randomUUID } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { deriveSecretKeys } from "@/lib/credentials";
import type { Database } from "@/lib/db";
import { createOrder } from "@/lib/orders";
import { seed } from "@/lib/seed";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { usageRecord } from "@/test/usage-record";
import { flushUsage, recordUsage, restoreUnwrittenUsage, saveUnwrittenUsage, usageWriterStats } from "./usage-writer";

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
      db.ledgerEntry.findMany({ where: { orderId, kind: "DEBIT" }, select: { requestId: true, amountMicros: true } }),
      db.order.findUniqueOrThrow({ where: { id: orderId }, select: { balanceMicros: true } }),
      db.usageDeadLetter.findMany({ select: { requestId: true, billed: true, error: true } }),
      db.usageDaily.aggregate({ where: { orderId }, _sum: { requests: true, costMicros: true } }),
    ]);
    return { logs, debits, balance: order.balanceMicros, deadLetters, rollups: rollups._sum };
  }

  const database = () => t.db;

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
    expect(f.debits).toHaveLength(42);
    expect(f.balance).toBe(order.credit - 41n * 37n - 1000n);
    const letter = f.deadLetters.find((d) => d.requestId === huge.requestId);
    expect(letter).toMatchObject({ billed: true });
    expect(letter?.error).toMatch(/out of range/i);
    expect(usageWriterStats().deadLettered).toBe(before + 1);
    expect(usageWriterStats().queued).toBe(0);
  });

  it("counts nothing twice when records are written again", async () => {
    const order = await newOrder();
    const batch = Array.from({ length: 10 }, () => usage(order));
    for (const r of batch) recordUsage(database, r);
    await flushUsage({ all: true });
    // The same records again, mixed with new ones (a retry after a lost commit, a restore).
    const more = Array.from({ length: 5 }, () => usage(order));
    for (const r of [...batch, ...more]) recordUsage(database, r);
    await flushUsage({ all: true });
    const f = await figures(order.orderId);
    expect(f.logs).toHaveLength(15);
    expect(f.debits).toHaveLength(15);
    expect(f.balance).toBe(order.credit - 15n * 37n);
    expect(f.rollups).toEqual({ requests: 15, costMicros: 15n * 37n });
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
    journaled.forEach((text, i) => writeFileSync(join(journalDir, `${dead}-0badf00d-${String(i).padStart(8, "0")}.jsonl`), text));
    const running = `${process.pid}-1badf00d-00000000.jsonl`;
    writeFileSync(join(journalDir, running), journaled.join(""));
    await expect(saveUnwrittenUsage({ writeForMs: 100 })).rejects.toThrow(/saved 5 usage records/);
    rmSync(join(spill, "unwritten-usage"), { recursive: true, force: true });
    expect((await figures(order.orderId)).logs).toHaveLength(0);

    expect(await restoreUnwrittenUsage(database, spill)).toBe(5);
    expect(readdirSync(journalDir)).toEqual([running]);
    const f = await figures(order.orderId);
    expect(f.logs.map((l) => l.requestId).sort()).toEqual(records.map((r) => r.requestId).sort());
    expect(f.debits).toHaveLength(5);
    expect(f.balance).toBe(order.credit - 5n * 37n);
    rmSync(join(journalDir, running));

    // Written as usual, the journal keeps nothing.
    for (let i = 0; i < 3; i++) recordUsage(database, usage(order));
    await flushUsage({ all: true });
    expect(readdirSync(journalDir)).toEqual([]);
  });

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
    expect(f.debits.length).toBeLessThanOrEqual(total);
    expect(f.balance).toBe(order.credit - expectedSpend);
    expect(f.debits.reduce((sum, d) => sum - d.amountMicros, 0n)).toBe(expectedSpend);
    expect(existsSync(join(spill, "usage-dead-letters.jsonl"))).toBe(false);
  });
});
