// What is due, decided from the clock and the numbers alone (pure; the sweep reads the numbers).

export type NotificationKind = "ACCESS_REMINDER" | "CREDIT_ALERT" | "KEY_LIMIT_ALERT";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** The access reminders, latest first: the first whose offset covers the time left is the one due. */
export const ACCESS_STAGES = [
  { stage: "ended", beforeMs: 0 },
  { stage: "1h", beforeMs: HOUR },
  { stage: "1d", beforeMs: DAY },
  { stage: "7d", beforeMs: 7 * DAY },
] as const;

export type AccessStage = (typeof ACCESS_STAGES)[number]["stage"];

/** How long after access ended the "ended" mail may still go out (a server down for a while catches up; old orders never do). */
export const ENDED_MAIL_WINDOW_MS = DAY;

/** The furthest reminder ahead: orders ending later need nothing yet. */
export const FIRST_REMINDER_MS = 7 * DAY;

/**
 * The one access reminder due now, or null. Only the most relevant: an order bought with 20 hours
 * left gets the 1-day reminder, never the 7-day one as well, and an order whose access ended
 * while the server was down gets the "ended" mail, not the 1-hour one late.
 */
export function dueAccessStage(accessEnd: Date, now: Date): AccessStage | null {
  const left = accessEnd.getTime() - now.getTime();
  if (left <= 0) return -left <= ENDED_MAIL_WINDOW_MS ? "ended" : null;
  for (const { stage, beforeMs } of ACCESS_STAGES) if (left <= beforeMs) return stage;
  return null;
}

/** The spend thresholds, in percent. */
export const SPEND_THRESHOLDS = [100, 80, 50] as const;

export type SpendThreshold = (typeof SPEND_THRESHOLDS)[number];

/**
 * The highest threshold `used` has reached of `limit`, or null (integer arithmetic on
 * micro-dollars). Only the highest is sent: a jump from 40 % to 85 % mails about 80 %.
 */
export function reachedThreshold(used: bigint, limit: bigint): SpendThreshold | null {
  if (limit <= 0n) return null;
  for (const threshold of SPEND_THRESHOLDS) if (used * 100n >= limit * BigInt(threshold)) return threshold;
  return null;
}
