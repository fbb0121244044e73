import "server-only";
import type { Prisma } from "@/lib/db";
import { deliverMail, type MailSettings, type Notification } from "@/lib/mail";
import { logger } from "@/lib/server/logger";
import { closeResolvedTickets } from "@/lib/tickets";
import { composeNotificationMail } from "./compose-notification-mail";
import { findDueAccessReminders, findDueCreditAlerts, findDueKeyLimitAlerts, type DueNotification, type Page } from "./find-due-notifications";
import { createUnsubscribeToken } from "./unsubscribe-token";

// The timed sweep: closes tickets resolved 7 days ago, then sends the reminders and alerts that
// are due. Every mail is claimed before it is sent, by inserting its unique row in
// notification_sends (INSERT … ON CONFLICT DO NOTHING RETURNING): of two instances, or a sweep
// after a restart, exactly one gets the row and sends. A relay that refuses the mail marks the row
// FAILED and later sweeps try again (claimed the same way) up to MAX_SEND_ATTEMPTS, then it stays
// FAILED for an operator to see. A process that dies between claim and send leaves the row
// SENDING, and it is never sent again: a mail may be lost, never sent twice.

export const MAX_SEND_ATTEMPTS = 3;
/** Waits before the 2nd and 3rd attempt. */
const RETRY_AFTER_MS = [60_000, 10 * 60_000];
const BATCH = 200;
/** At most this many batches of each kind per sweep: a backlog is worked off over several minutes. */
const MAX_BATCHES = 10;

const log = logger.child({ component: "notifications" });

export interface SweepSettings {
  publicUrl: string;
  mail: MailSettings;
  unsubscribeKey: Buffer;
  /** Defaults to deliverMail through `mail`. */
  deliver?: (message: Notification) => Promise<void>;
  batchSize?: number;
  /** Aborted at shutdown: the sweep stops between mails (nothing claimed is left half-done by it). */
  signal?: AbortSignal;
}

export interface SweepReport {
  closedTickets: number;
  sent: number;
  failed: number;
  /** Due but claimed by another sweep (another instance) first. */
  lost: number;
}

function errorText(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  return `${typeof code === "string" ? `${code}: ` : ""}${message}`.slice(0, 300);
}

/** Claims a notification; the row's id when this sweep won it, null when it was recorded already. */
async function claim(db: Prisma, item: DueNotification, payload: Notification, now: Date): Promise<bigint | null> {
  const { kind, orderId, keyId, stage, period } = item.claim;
  const rows = await db.$queryRaw<{ id: bigint }[]>`
    INSERT INTO notification_sends (kind, "orderId", "keyId", stage, period, status, attempts, payload, "claimedAt")
    VALUES (${kind}::"NotificationKind", ${orderId}, ${keyId}, ${stage}, ${period}, 'SENDING', 1, ${JSON.stringify(payload)}::jsonb, ${now})
    ON CONFLICT (kind, "orderId", "keyId", stage, period) DO NOTHING
    RETURNING id`;
  return rows[0]?.id ?? null;
}

async function send(db: Prisma, id: bigint, attempt: number, message: Notification, settings: SweepSettings, now: Date): Promise<boolean> {
  try {
    await (settings.deliver ?? ((m: Notification) => deliverMail(m, settings.mail)))(message);
  } catch (err) {
    const retryIn = RETRY_AFTER_MS[attempt - 1];
    await db.notificationSend.update({
      where: { id },
      data: { status: "FAILED", lastError: errorText(err), nextAttemptAt: retryIn === undefined ? null : new Date(now.getTime() + retryIn) },
    });
    log.warn({ err, notification: id.toString(), attempt, final: retryIn === undefined }, "could not send a notification");
    return false;
  }
  await db.notificationSend.update({ where: { id }, data: { status: "SENT", sentAt: new Date(), lastError: null, nextAttemptAt: null } });
  return true;
}

async function recipients(db: Prisma, customerIds: string[]): Promise<Map<string, string>> {
  const users = await db.user.findMany({
    where: { customerId: { in: customerIds }, role: "BUYER" },
    select: { email: true, customerId: true },
    orderBy: { createdAt: "asc" },
  });
  const to = new Map<string, string[]>();
  for (const u of users) to.set(u.customerId!, [...(to.get(u.customerId!) ?? []), u.email]);
  return new Map([...to].map(([id, emails]) => [id, emails.join(", ")]));
}

async function sendDue(
  db: Prisma,
  find: (db: Prisma, now: Date, cursor: string | null, take: number) => Promise<Page<DueNotification>>,
  settings: SweepSettings,
  now: Date,
  report: SweepReport,
): Promise<void> {
  let cursor: string | null = null;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const page = await find(db, now, cursor, settings.batchSize ?? BATCH);
    const to = await recipients(db, [...new Set(page.items.map((i) => i.customerId))]);
    for (const item of page.items) {
      if (settings.signal?.aborted) return;
      const address = to.get(item.customerId);
      if (!address) continue;
      const message = composeNotificationMail(item.mail, {
        publicUrl: settings.publicUrl,
        to: address,
        now,
        unsubscribeToken: createUnsubscribeToken(settings.unsubscribeKey, item.customerId, item.claim.kind),
      });
      const id = await claim(db, item, message, now);
      if (id === null) {
        report.lost += 1;
        continue;
      }
      if (await send(db, id, 1, message, settings, now)) report.sent += 1;
      else report.failed += 1;
    }
    if (page.next === null) return;
    cursor = page.next;
  }
}

const OPT_IN_SELECT = { notifyAccessReminders: true, notifyCreditAlerts: true, notifyKeyLimitAlerts: true } as const;
const OPT_IN = { ACCESS_REMINDER: "notifyAccessReminders", CREDIT_ALERT: "notifyCreditAlerts", KEY_LIMIT_ALERT: "notifyKeyLimitAlerts" } as const;

/** Sends again what the relay refused, each retry claimed like a first send (FAILED → SENDING by one sweep only). */
async function retryFailed(db: Prisma, settings: SweepSettings, now: Date, report: SweepReport): Promise<void> {
  const due = await db.notificationSend.findMany({
    where: { status: "FAILED", attempts: { lt: MAX_SEND_ATTEMPTS }, nextAttemptAt: { lte: now } },
    orderBy: { nextAttemptAt: "asc" },
    take: settings.batchSize ?? BATCH,
    select: { id: true, kind: true, payload: true, order: { select: { customer: { select: OPT_IN_SELECT } } } },
  });
  for (const row of due) {
    if (settings.signal?.aborted) return;
    const claimed = await db.$queryRaw<{ attempts: number }[]>`
      UPDATE notification_sends SET status = 'SENDING', attempts = attempts + 1, "claimedAt" = ${now}
       WHERE id = ${row.id} AND status = 'FAILED' RETURNING attempts`;
    const attempt = claimed[0]?.attempts;
    if (attempt === undefined) continue;
    if (!row.order.customer[OPT_IN[row.kind]] || row.payload === null) {
      // Turned off since: the mail is not wanted any more; recorded as failed for good.
      await db.notificationSend.update({ where: { id: row.id }, data: { status: "FAILED", lastError: "turned off by the buyer", nextAttemptAt: null } });
      continue;
    }
    if (await send(db, row.id, attempt, row.payload as unknown as Notification, settings, now)) report.sent += 1;
    else report.failed += 1;
  }
}

/** One sweep at `now`. Each part runs even when an earlier one failed; failures are logged. */
export async function runNotificationSweep(db: Prisma, settings: SweepSettings, now: Date = new Date()): Promise<SweepReport> {
  const report: SweepReport = { closedTickets: 0, sent: 0, failed: 0, lost: 0 };
  const parts: [string, () => Promise<void>][] = [
    [
      "close resolved tickets",
      async () => {
        report.closedTickets = await closeResolvedTickets(db, now);
      },
    ],
    ["retry failed notifications", () => retryFailed(db, settings, now, report)],
    ["access reminders", () => sendDue(db, findDueAccessReminders, settings, now, report)],
    ["credit alerts", () => sendDue(db, findDueCreditAlerts, settings, now, report)],
    ["key limit alerts", () => sendDue(db, findDueKeyLimitAlerts, settings, now, report)],
  ];
  for (const [name, part] of parts) {
    if (settings.signal?.aborted) break;
    try {
      await part();
    } catch (err) {
      log.error({ err, part: name }, "notification sweep step failed");
    }
  }
  if (report.sent || report.failed || report.closedTickets) log.info({ ...report }, "notification sweep");
  return report;
}
