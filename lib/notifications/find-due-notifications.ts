import "server-only";
import type { Prisma } from "@/lib/db";
import type { MailOrder, NotificationMailInput } from "./compose-notification-mail";
import { readKeyLimitUsage } from "./key-limit-usage";
import { ACCESS_STAGES, dueAccessStage, ENDED_MAIL_WINDOW_MS, FIRST_REMINDER_MS, reachedThreshold } from "./notification-stages";

// What the sweep finds due, in bounded batches read through indexes:
//  - access reminders: orders by `orders.accessEnd` (indexed) from a day ago to 7 days ahead, less
//    those whose due reminder is already recorded;
//  - credit and key alerts: only orders and keys with usage rollups since yesterday (the rollup's
//    primary key starts with the day), because spend only grows with usage. The credit granted is
//    read by (orderId, kind), never through the order's debits.
// Each item names its unique claim (kind, order, key, stage, period) and the mail to send.

const DAY = 24 * 60 * 60 * 1000;

export interface DueNotification {
  customerId: string;
  claim: { kind: NotificationMailInput["kind"]; orderId: string; keyId: string; stage: string; period: string };
  mail: NotificationMailInput;
}

export interface Page<T> {
  items: T[];
  /** Where the next batch starts; null when this was the last. */
  next: string | null;
}

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

const stageStart = (stage: string) => ACCESS_STAGES.find((s) => s.stage === stage)!.beforeMs;

/** Access reminders due at `now`, one batch in (accessEnd, id) order after `cursor`. */
export async function findDueAccessReminders(db: Prisma, now: Date, cursor: string | null, take: number): Promise<Page<DueNotification>> {
  const [afterEnd, afterId] = cursor ? (JSON.parse(cursor) as [string, string]) : [new Date(now.getTime() - ENDED_MAIL_WINDOW_MS - 1).toISOString(), ""];
  const h1 = new Date(now.getTime() + stageStart("1h"));
  const d1 = new Date(now.getTime() + stageStart("1d"));
  const rows = await db.$queryRaw<
    { id: string; marketplaceOrderId: string; customerId: string; accessEnd: Date; planName: string; stage: string; period: string }[]
  >`
    SELECT o.id, o."marketplaceOrderId", o."customerId", o."accessEnd", p.name AS "planName", s.stage, s.period
      FROM orders o
      JOIN customers c ON c.id = o."customerId"
      JOIN plans p ON p.id = o."planId"
      CROSS JOIN LATERAL (SELECT
        CASE WHEN o."accessEnd" <= ${now} THEN 'ended' WHEN o."accessEnd" <= ${h1} THEN '1h' WHEN o."accessEnd" <= ${d1} THEN '1d' ELSE '7d' END AS stage,
        to_char(o."accessEnd", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS period) s
     WHERE o."accessEnd" > ${new Date(now.getTime() - ENDED_MAIL_WINDOW_MS)}
       AND o."accessEnd" <= ${new Date(now.getTime() + FIRST_REMINDER_MS)}
       AND (o."accessEnd", o.id) > (${new Date(afterEnd)}, ${afterId})
       AND o.state = 'OPEN'
       AND c."notifyAccessReminders"
       AND NOT EXISTS (SELECT 1 FROM notification_sends n
                        WHERE n.kind = 'ACCESS_REMINDER' AND n."orderId" = o.id AND n."keyId" = '' AND n.stage = s.stage AND n.period = s.period)
     ORDER BY o."accessEnd", o.id
     LIMIT ${take}`;
  const items: DueNotification[] = [];
  for (const row of rows) {
    const stage = dueAccessStage(row.accessEnd, now);
    if (stage === null || stage !== row.stage) continue;
    const order: MailOrder = { id: row.id, marketplaceOrderId: row.marketplaceOrderId, planName: row.planName };
    items.push({
      customerId: row.customerId,
      claim: { kind: "ACCESS_REMINDER", orderId: row.id, keyId: "", stage, period: row.period },
      mail: { kind: "ACCESS_REMINDER", order, stage, accessEnd: row.accessEnd },
    });
  }
  const last = rows.at(-1);
  return { items, next: rows.length === take && last ? JSON.stringify([last.accessEnd.toISOString(), last.id]) : null };
}

/** Ids (orders or keys) with usage rollups since yesterday (UTC), one batch after `cursor`. */
async function recentlyUsed(db: Prisma, column: "orderId" | "apiKeyId", now: Date, cursor: string | null, take: number): Promise<string[]> {
  const since = new Date(startOfUtcDay(now).getTime() - DAY);
  const rows =
    column === "orderId"
      ? await db.$queryRaw<{ id: string }[]>`
          SELECT DISTINCT "orderId" AS id FROM usage_daily WHERE day >= ${since}::date AND "orderId" > ${cursor ?? ""} ORDER BY 1 LIMIT ${take}`
      : await db.$queryRaw<{ id: string }[]>`
          SELECT DISTINCT "apiKeyId" AS id FROM usage_daily WHERE day >= ${since}::date AND "apiKeyId" > ${cursor ?? ""} ORDER BY 1 LIMIT ${take}`;
  return rows.map((r) => r.id);
}

/** The stages already recorded for these subjects: what not to claim again. */
async function recorded(db: Prisma, kind: DueNotification["claim"]["kind"], where: { orderId?: string[]; keyId?: string[] }): Promise<Set<string>> {
  const rows = await db.notificationSend.findMany({
    where: { kind, ...(where.orderId ? { orderId: { in: where.orderId } } : {}), ...(where.keyId ? { keyId: { in: where.keyId } } : {}) },
    select: { orderId: true, keyId: true, stage: true, period: true },
  });
  return new Set(rows.map((r) => `${r.orderId}|${r.keyId}|${r.stage}|${r.period}`));
}

/** Credit alerts due at `now` among orders used since yesterday. */
export async function findDueCreditAlerts(db: Prisma, now: Date, cursor: string | null, take: number): Promise<Page<DueNotification>> {
  const ids = await recentlyUsed(db, "orderId", now, cursor, take);
  const next = ids.length === take ? ids.at(-1)! : null;
  if (ids.length === 0) return { items: [], next };
  const [orders, granted] = await Promise.all([
    db.order.findMany({
      where: { id: { in: ids }, state: "OPEN", accessStart: { lte: now }, accessEnd: { gt: now }, customer: { notifyCreditAlerts: true } },
      select: { id: true, marketplaceOrderId: true, customerId: true, accessEnd: true, balanceMicros: true, plan: { select: { name: true } } },
    }),
    db.ledgerEntry.groupBy({ by: ["orderId"], where: { orderId: { in: ids }, kind: { in: ["PLAN_CREDIT", "ADJUSTMENT"] } }, _sum: { amountMicros: true } }),
  ]);
  const grantedBy = new Map(granted.map((g) => [g.orderId, g._sum.amountMicros ?? 0n]));
  const done = await recorded(db, "CREDIT_ALERT", { orderId: orders.map((o) => o.id) });
  const items: DueNotification[] = [];
  for (const o of orders) {
    const grantedMicros = grantedBy.get(o.id) ?? 0n;
    const usedMicros = grantedMicros - o.balanceMicros;
    const threshold = reachedThreshold(usedMicros, grantedMicros);
    if (threshold === null || done.has(`${o.id}||${threshold}|`)) continue;
    items.push({
      customerId: o.customerId,
      claim: { kind: "CREDIT_ALERT", orderId: o.id, keyId: "", stage: String(threshold), period: "" },
      mail: {
        kind: "CREDIT_ALERT",
        order: { id: o.id, marketplaceOrderId: o.marketplaceOrderId, planName: o.plan.name },
        threshold,
        usedMicros: usedMicros > grantedMicros ? grantedMicros : usedMicros,
        grantedMicros,
        accessEnd: o.accessEnd,
      },
    });
  }
  return { items, next };
}

/** Key spend-limit alerts due at `now` among keys used since yesterday. */
export async function findDueKeyLimitAlerts(db: Prisma, now: Date, cursor: string | null, take: number): Promise<Page<DueNotification>> {
  const ids = await recentlyUsed(db, "apiKeyId", now, cursor, take);
  const next = ids.length === take ? ids.at(-1)! : null;
  if (ids.length === 0) return { items: [], next };
  const keys = await db.apiKey.findMany({
    where: {
      id: { in: ids },
      status: "ACTIVE",
      deletedAt: null,
      order: { state: "OPEN", accessStart: { lte: now }, accessEnd: { gt: now }, customer: { notifyKeyLimitAlerts: true } },
    },
    select: {
      id: true,
      name: true,
      lastFour: true,
      order: { select: { id: true, marketplaceOrderId: true, customerId: true, plan: { select: { name: true } } } },
    },
  });
  const usage = new Map(
    (
      await readKeyLimitUsage(
        db,
        keys.map((k) => k.id),
        now,
      )
    ).map((u) => [u.keyId, u]),
  );
  const done = await recorded(db, "KEY_LIMIT_ALERT", { keyId: keys.map((k) => k.id) });
  const items: DueNotification[] = [];
  for (const k of keys) {
    const u = usage.get(k.id);
    if (!u) continue;
    const threshold = reachedThreshold(u.spentMicros, u.limitMicros);
    if (threshold === null || done.has(`${k.order.id}|${k.id}|${threshold}|${u.periodId}`)) continue;
    items.push({
      customerId: k.order.customerId,
      claim: { kind: "KEY_LIMIT_ALERT", orderId: k.order.id, keyId: k.id, stage: String(threshold), period: u.periodId },
      mail: {
        kind: "KEY_LIMIT_ALERT",
        order: { id: k.order.id, marketplaceOrderId: k.order.marketplaceOrderId, planName: k.order.plan.name },
        threshold,
        key: { name: k.name, lastFour: k.lastFour },
        spentMicros: u.spentMicros,
        limitMicros: u.limitMicros,
        resetsAt: u.resetsAt,
      },
    });
  }
  return { items, next };
}
