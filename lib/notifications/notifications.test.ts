import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addLedgerEntry } from "@/lib/billing/ledger";
import { deriveSecretKeys } from "@/lib/credentials";
import { openDatabase, type Database, type Prisma } from "@/lib/db";
import type { Notification } from "@/lib/mail";
import { createOrder } from "@/lib/orders";
import { seed } from "@/lib/seed";
import { decodeQuotedPrintable, startSmtpSink, type ReceivedMail, type SmtpSink } from "@/e2e/smtp-sink";
import { createTestDatabase, describeOnPostgres, type TestDatabase } from "@/test/databases";
import { TEST_SECRET } from "@/test/accounts";
import {
  composeNotificationMail,
  createUnsubscribeToken,
  deriveUnsubscribeKey,
  dueAccessStage,
  listOrdersEndingSoon,
  reachedThreshold,
  runNotificationSweep,
  turnOffNotifications,
  updateNotificationSettings,
  verifyUnsubscribeToken,
  type SweepSettings,
} from "./index";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const PUBLIC_URL = "https://gate.example.com";
const KEY = deriveUnsubscribeKey(TEST_SECRET);
const keys = deriveSecretKeys(TEST_SECRET);

const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

describe("what is due", () => {
  const end = new Date("2026-12-20T12:00:00Z");
  it("picks only the most relevant access reminder", () => {
    expect(dueAccessStage(end, at(end, -8 * DAY))).toBeNull();
    expect(dueAccessStage(end, at(end, -7 * DAY))).toBe("7d");
    expect(dueAccessStage(end, at(end, -20 * HOUR))).toBe("1d");
    expect(dueAccessStage(end, at(end, -59 * 60_000))).toBe("1h");
    expect(dueAccessStage(end, end)).toBe("ended");
    expect(dueAccessStage(end, at(end, 23 * HOUR))).toBe("ended");
    expect(dueAccessStage(end, at(end, 25 * HOUR))).toBeNull();
  });

  it("names the highest spend threshold reached, in integer micro-dollars", () => {
    expect(reachedThreshold(499_999n, 1_000_000n)).toBeNull();
    expect(reachedThreshold(500_000n, 1_000_000n)).toBe(50);
    expect(reachedThreshold(850_000n, 1_000_000n)).toBe(80);
    expect(reachedThreshold(1_200_000n, 1_000_000n)).toBe(100);
    expect(reachedThreshold(5n, 0n)).toBeNull();
  });
});

describe("unsubscribe tokens", () => {
  it("verify for the account and kind they were made for, and nothing else", () => {
    const token = createUnsubscribeToken(KEY, "cust123", "CREDIT_ALERT");
    expect(verifyUnsubscribeToken(KEY, token)).toEqual({ customerId: "cust123", kind: "CREDIT_ALERT" });
    expect(verifyUnsubscribeToken(KEY, token.replace("cust123", "cust124"))).toBeNull();
    expect(verifyUnsubscribeToken(KEY, token.replace(".credit.", ".access."))).toBeNull();
    expect(verifyUnsubscribeToken(deriveUnsubscribeKey(`${TEST_SECRET}x`), token)).toBeNull();
    expect(verifyUnsubscribeToken(KEY, "garbage")).toBeNull();
  });
});

describe("composeNotificationMail", () => {
  it("says what and when (UTC and relative), links the order and the unsubscribe page, never a key", () => {
    const now = new Date("2026-12-19T16:00:00Z");
    const mail = composeNotificationMail(
      {
        kind: "ACCESS_REMINDER",
        order: { id: "ord1", marketplaceOrderId: "MK-1", planName: "Starter <30>" },
        stage: "1d",
        accessEnd: new Date("2026-12-20T12:00:00Z"),
      },
      { publicUrl: PUBLIC_URL, to: "dana@example.com", now, unsubscribeToken: createUnsubscribeToken(KEY, "cust1", "ACCESS_REMINDER") },
    );
    expect(mail.subject).toBe("Access ends in 1 day: order MK-1 ends 2026-12-20 12:00 UTC");
    expect(mail.text).toContain("2026-12-20 12:00 UTC, in 20 hours");
    expect(mail.text).toContain(`${PUBLIC_URL}/orders/ord1`);
    expect(mail.headers?.["List-Unsubscribe"]).toMatch(/^<https:\/\/gate\.example\.com\/unsubscribe\?t=cust1\.access\./);
    expect(mail.html).toContain("Starter &lt;30&gt;");
    const key = composeNotificationMail(
      {
        kind: "KEY_LIMIT_ALERT",
        order: { id: "ord1", marketplaceOrderId: "MK-1", planName: "Starter" },
        threshold: 80,
        key: { name: "CI", lastFour: "Ab12" },
        spentMicros: 8_500_000n,
        limitMicros: 10_000_000n,
        resetsAt: new Date("2027-01-01T00:00:00Z"),
      },
      { publicUrl: PUBLIC_URL, to: "dana@example.com", now, unsubscribeToken: "t" },
    );
    expect(key.subject).toContain("80 % of spend limit used");
    expect(key.text).toContain("$8.50 of its $10.00 limit");
    expect(`${key.text}${key.html}`).not.toMatch(/sk-gate-[0-9A-Za-z]{10}/);
  });
});

/** A buyer with one Starter order (credit $20) and its key, in the given window. */
async function buyer(db: Prisma, email: string, marketplaceOrderId: string, accessStart: Date, accessEnd: Date) {
  const created = await createOrder(db, {
    email,
    planName: "Starter 30",
    marketplaceOrderId,
    accessStart,
    accessEnd,
    source: "CLI",
    delivery: "handout",
    actor: { label: "cli" },
    keys,
    now: accessStart,
  });
  return { orderId: created.order.id, keyId: created.apiKey.id, customerId: created.customerId };
}

let requestSeq = 0;
/** Spend on a key as the usage writer records it: the rollup row and the ledger debit. */
async function spend(db: Prisma, o: { orderId: string; keyId: string; customerId: string }, micros: bigint, day: Date) {
  await db.usageDaily.upsert({
    where: { day_apiKeyId_model: { day, apiKeyId: o.keyId, model: "gpt-4o-mini" } },
    create: { day, apiKeyId: o.keyId, model: "gpt-4o-mini", customerId: o.customerId, orderId: o.orderId, requests: 1, costMicros: micros },
    update: { requests: { increment: 1 }, costMicros: { increment: micros } },
  });
  await addLedgerEntry(db, { orderId: o.orderId, kind: "DEBIT", amountMicros: -micros, requestId: `req_n${++requestSeq}` });
}

describe("the notification sweep [pglite]", () => {
  let t: TestDatabase;
  const sent: Notification[] = [];
  const settings: SweepSettings = {
    publicUrl: PUBLIC_URL,
    mail: { smtpUrl: undefined, emailFrom: "x <x@example.com>", publicUrl: PUBLIC_URL },
    unsubscribeKey: KEY,
    deliver: async (m) => void sent.push(m),
  };
  const db = () => t.db.prisma;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    await seed(db(), { gatehouseSecret: TEST_SECRET }, { demo: false });
  });
  afterAll(() => t?.drop());
  beforeEach(() => void (sent.length = 0));

  it("sends 7 days, 1 day, 1 hour and ended, each once, whatever how often it runs", async () => {
    const end = new Date("2027-01-20T12:00:00Z");
    const o = await buyer(db(), "rita@example.com", "MK-R1", at(end, -30 * DAY), end);
    const subjects = async (now: Date) => {
      for (let i = 0; i < 2; i++) await runNotificationSweep(db(), settings, now);
      return sent
        .splice(0)
        .filter((m) => m.to === "rita@example.com")
        .map((m) => m.subject);
    };
    expect(await subjects(at(end, -8 * DAY))).toEqual([]);
    expect(await subjects(at(end, -7 * DAY + 60_000))).toEqual([expect.stringMatching(/^Access ends in 7 days: order MK-R1/)]);
    expect(await subjects(at(end, -6 * DAY))).toEqual([]);
    expect(await subjects(at(end, -23 * HOUR))).toEqual([expect.stringMatching(/^Access ends in 1 day/)]);
    expect(await subjects(at(end, -30 * 60_000))).toEqual([expect.stringMatching(/^Access ends in 1 hour/)]);
    expect(await subjects(at(end, 60_000))).toEqual([expect.stringMatching(/^Access ended: order MK-R1/)]);
    expect(await subjects(at(end, 2 * DAY))).toEqual([]);
    const rows = await db().notificationSend.findMany({ where: { orderId: o.orderId }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.stage, r.status])).toEqual([
      ["7d", "SENT"],
      ["1d", "SENT"],
      ["1h", "SENT"],
      ["ended", "SENT"],
    ]);
  });

  it("sends an order bought with 20 hours left the 1-day reminder only, and a renewal earns new reminders", async () => {
    const now = new Date("2027-02-01T00:00:00Z");
    const o = await buyer(db(), "sid@example.com", "MK-S1", at(now, -10 * DAY), at(now, 20 * HOUR));
    await runNotificationSweep(db(), settings, now);
    expect(sent.filter((m) => m.to === "sid@example.com").map((m) => m.subject)).toEqual([expect.stringMatching(/^Access ends in 1 day/)]);
    sent.length = 0;
    await db().order.update({ where: { id: o.orderId }, data: { accessEnd: at(now, 3 * DAY) } });
    await runNotificationSweep(db(), settings, now);
    expect(sent.filter((m) => m.to === "sid@example.com").map((m) => m.subject)).toEqual([expect.stringMatching(/^Access ends in 7 days/)]);
  });

  it("alerts on credit at 50, 80 and 100 % and on a key's monthly limit, once per period; opt-outs hold", async () => {
    const now = new Date("2027-03-10T10:00:00Z");
    const day = new Date("2027-03-10T00:00:00Z");
    const o = await buyer(db(), "cora@example.com", "MK-C1", at(now, -5 * DAY), at(now, 40 * DAY));
    await db().apiKey.update({ where: { id: o.keyId }, data: { monthlyLimitMicros: 8_000_000n } });
    const mine = () =>
      sent
        .splice(0)
        .filter((m) => m.to === "cora@example.com")
        .map((m) => m.subject);

    await spend(db(), o, 4_100_000n, day); // 20.5 % of $20 credit, 51 % of the $8 key limit
    await runNotificationSweep(db(), settings, now);
    expect(mine()).toEqual([expect.stringMatching(/^50 % of spend limit used: key "Default key"/)]);
    await spend(db(), o, 6_000_000n, day); // credit 50.5 %, key 126 %
    await runNotificationSweep(db(), settings, at(now, 60_000));
    await runNotificationSweep(db(), settings, at(now, 120_000));
    expect(mine().sort()).toEqual([expect.stringMatching(/^50 % of credit used: order MK-C1/), expect.stringMatching(/^Spend limit reached: key/)]);

    await updateNotificationSettings(db(), o.customerId, { accessReminders: true, creditAlerts: false, keyLimitAlerts: true });
    await spend(db(), o, 6_000_000n, day); // credit 80.5 %
    await runNotificationSweep(db(), settings, at(now, 180_000));
    expect(mine()).toEqual([]);
    await updateNotificationSettings(db(), o.customerId, { accessReminders: true, creditAlerts: true, keyLimitAlerts: true });
    await runNotificationSweep(db(), settings, at(now, 240_000));
    expect(mine()).toEqual([expect.stringMatching(/^80 % of credit used/)]);

    // A new month is a new period for the key's limit.
    const april = new Date("2027-04-01T08:00:00Z");
    await spend(db(), o, 4_000_000n, new Date("2027-04-01T00:00:00Z"));
    await runNotificationSweep(db(), settings, april);
    expect(mine()).toEqual([expect.stringMatching(/^Credit used up/), expect.stringMatching(/^50 % of spend limit used/)]);

    // The one-click unsubscribe turns one kind off.
    expect(await turnOffNotifications(db(), o.customerId, "ACCESS_REMINDER")).toBe(true);
    await runNotificationSweep(db(), settings, at(now, 33 * DAY + 12 * HOUR));
    expect(mine()).toEqual([]);
  });

  it("retries a mail the relay refused, a bounded number of times, and never sends a success twice", async () => {
    const now = new Date("2027-05-01T00:00:00Z");
    const o = await buyer(db(), "fay@example.com", "MK-F1", at(now, -10 * DAY), at(now, 5 * DAY));
    let failures = 1;
    const flaky: SweepSettings = {
      ...settings,
      deliver: async (m) => {
        if (m.to === "fay@example.com" && failures-- > 0) throw Object.assign(new Error("451 try later"), { code: "EENVELOPE" });
        sent.push(m);
      },
    };
    expect(await runNotificationSweep(db(), flaky, now)).toMatchObject({ failed: 1 });
    const failed = await db().notificationSend.findFirstOrThrow({ where: { orderId: o.orderId } });
    expect(failed).toMatchObject({ status: "FAILED", attempts: 1, lastError: "EENVELOPE: 451 try later" });
    await runNotificationSweep(db(), flaky, at(now, 30_000)); // not yet: waits a minute
    expect(sent.filter((m) => m.to === "fay@example.com")).toEqual([]);
    await runNotificationSweep(db(), flaky, at(now, 61_000));
    await runNotificationSweep(db(), flaky, at(now, 20 * 60_000));
    expect(sent.filter((m) => m.to === "fay@example.com").map((m) => m.subject)).toEqual([expect.stringMatching(/^Access ends in 7 days/)]);
    expect(await db().notificationSend.findFirstOrThrow({ where: { orderId: o.orderId } })).toMatchObject({ status: "SENT", attempts: 2 });

    // Always refused: three attempts, then it stays FAILED.
    const p = await buyer(db(), "gus@example.com", "MK-G1", at(now, -10 * DAY), at(now, 5 * DAY));
    const broken: SweepSettings = { ...settings, deliver: async () => Promise.reject(new Error("down")) };
    for (const minutes of [0, 2, 15, 60, 120]) await runNotificationSweep(db(), broken, at(now, minutes * 60_000));
    expect(await db().notificationSend.findFirstOrThrow({ where: { orderId: p.orderId } })).toMatchObject({
      status: "FAILED",
      attempts: 3,
      nextAttemptAt: null,
    });
  });

  it("lists the account's orders in their last 24 hours for the banner", async () => {
    const now = new Date("2027-06-01T00:00:00Z");
    const o = await buyer(db(), "bea@example.com", "MK-B1", at(now, -10 * DAY), at(now, 5 * HOUR));
    expect(await listOrdersEndingSoon(db(), { customerId: o.customerId, now })).toEqual([
      { id: o.orderId, marketplaceOrderId: "MK-B1", accessEnd: at(now, 5 * HOUR) },
    ]);
    expect(await listOrdersEndingSoon(db(), { customerId: o.customerId, now: at(now, -DAY) })).toEqual([]);
    expect(await listOrdersEndingSoon(db(), { customerId: o.customerId, now: at(now, 6 * HOUR) })).toEqual([]);
  });
});

describeOnPostgres("the notification sweep on two instances", () => {
  let t: TestDatabase;
  let second: Database;
  let sink: SmtpSink;
  const received: ReceivedMail[] = [];
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    second = openDatabase({ kind: "postgres", url: t.location });
    await seed(t.db.prisma, { gatehouseSecret: TEST_SECRET }, { demo: false });
    sink = await startSmtpSink({ onMail: (mail) => received.push(mail) });
  });
  afterAll(async () => {
    await sink?.close();
    await second?.close();
    await t?.drop();
  });
  afterEach(() => void (received.length = 0));

  it("sends each reminder and alert exactly once when two instances sweep at the same moments", async () => {
    const end = new Date("2027-01-20T12:00:00Z");
    const settings: SweepSettings = {
      publicUrl: PUBLIC_URL,
      mail: { smtpUrl: sink.url, emailFrom: "Gatehouse <no-reply@gate.example.com>", publicUrl: PUBLIC_URL },
      unsubscribeKey: KEY,
      batchSize: 3,
    };
    const buyers = [];
    for (let i = 0; i < 8; i++) buyers.push(await buyer(t.db.prisma, `b${i}@example.com`, `MK-P${i}`, at(end, -30 * DAY), end));
    await t.db.prisma.apiKey.update({ where: { id: buyers[0]!.keyId }, data: { monthlyLimitMicros: 1_000_000n } });
    const times = [-7 * DAY + 60_000, -7 * DAY + 120_000, -20 * HOUR, -20 * HOUR + 30_000, -10 * 60_000, 5 * 60_000, 10 * 60_000];
    let sent = 0;
    for (const [i, offset] of times.entries()) {
      if (i === 2) {
        await spend(t.db.prisma, buyers[0]!, 1_000_000n, new Date("2027-01-19T00:00:00Z")); // the key's whole $1 limit
        await spend(t.db.prisma, buyers[1]!, 10_000_000n, new Date("2027-01-19T00:00:00Z")); // half of the $20 credit
      }
      const now = at(end, offset);
      const reports = await Promise.all([runNotificationSweep(t.db.prisma, settings, now), runNotificationSweep(second.prisma, settings, now)]);
      expect(reports.every((r) => r.failed === 0)).toBe(true);
      sent += reports[0]!.sent + reports[1]!.sent;
    }
    expect(sent).toBe(8 * 4 + 2);
    const subjects = received.map((m) => {
      const unfolded = decodeQuotedPrintable(m.raw).replace(/\r?\n[ \t]+/g, " ");
      return `${m.to.join(",")} ${/^Subject: (.*)$/m.exec(unfolded)?.[1]?.trim() ?? m.raw}`;
    });
    // 8 buyers × 4 access mails, plus the key's 100 % alert and the credit's 50 % alert.
    expect(subjects).toHaveLength(8 * 4 + 2);
    expect(new Set(subjects).size).toBe(subjects.length);
    for (let i = 0; i < 8; i++) expect(subjects.filter((s) => s.startsWith(`b${i}@example.com `))).toHaveLength(i < 2 ? 5 : 4);
    const raw = received[0]!.raw.replace(/\r?\n[ \t]+/g, " "); // headers unfolded
    expect(raw).toMatch(/^List-Unsubscribe: <https:\/\/gate\.example\.com\/unsubscribe\?t=/m);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    expect(subjects.filter((s) => / of credit used: order MK-P1 /.test(s) || /^b0@example.com .*Spend.limit.reached/.test(s))).toHaveLength(2);
    expect(await t.db.prisma.notificationSend.count({ where: { status: "SENT" } })).toBe(8 * 4 + 2);
  });
});
