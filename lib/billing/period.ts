/**
 * The UTC calendar periods of a key's spend limit: a day, a week that starts on Monday 00:00 UTC
 * (ISO 8601 weeks), or a calendar month. A limit resets exactly at its period's end, the same
 * instant for every key, and never at an anniversary of the key's first request. `id` names the
 * period in storage keys; `end` is the first instant of the next period: when the limit resets and
 * what a refusal reports as `resetsAt`.
 */
export type SpendPeriod = "DAY" | "WEEK" | "MONTH";

export const SPEND_PERIODS: readonly SpendPeriod[] = ["DAY", "WEEK", "MONTH"];

export interface UtcPeriod {
  kind: SpendPeriod;
  /** `YYYY-MM-DD` (a day), `W` + the Monday's `YYYY-MM-DD` (a week), `YYYY-MM` (a month): distinct for every period. */
  id: string;
  /** First instant of the period (inclusive). */
  start: Date;
  /** First instant of the next period (exclusive): the reset time. */
  end: Date;
}

/** A calendar month in UTC (the period of a monthly limit). */
export type UtcMonth = UtcPeriod;

const DAY_MS = 86_400_000;

/** The last day utcDay named (its number since the epoch, and its text): every record of a batch is mostly of one day. */
let lastDay = { number: Number.NaN, text: "" };

/** The UTC calendar day of `date` as YYYY-MM-DD: the day a rollup, a debit or a daily limit counts it in. */
export function utcDay(date: Date): string {
  const number = Math.floor(date.getTime() / DAY_MS);
  if (number !== lastDay.number) lastDay = { number, text: date.toISOString().slice(0, 10) };
  return lastDay.text;
}

/** The UTC period of `kind` that contains `now`. */
export function utcPeriod(kind: SpendPeriod, now: Date): UtcPeriod {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const day = now.getUTCDate();
  if (kind === "MONTH") {
    const start = new Date(Date.UTC(year, month, 1));
    return { kind, id: utcDay(start).slice(0, 7), start, end: new Date(Date.UTC(year, month + 1, 1)) };
  }
  const midnight = Date.UTC(year, month, day);
  if (kind === "DAY") {
    const start = new Date(midnight);
    return { kind, id: utcDay(start), start, end: new Date(midnight + DAY_MS) };
  }
  // getUTCDay(): Sunday 0 … Saturday 6; days since Monday: Monday 0 … Sunday 6.
  const sinceMonday = (now.getUTCDay() + 6) % 7;
  const start = new Date(midnight - sinceMonday * DAY_MS);
  return { kind, id: `W${utcDay(start)}`, start, end: new Date(start.getTime() + 7 * DAY_MS) };
}

export function utcMonth(now: Date): UtcMonth {
  return utcPeriod("MONTH", now);
}

/** "daily", "weekly", "monthly": the limit's adjective. */
export function periodAdjective(kind: SpendPeriod): string {
  return kind === "DAY" ? "daily" : kind === "WEEK" ? "weekly" : "monthly";
}

/** "today", "this week", "this month": the current period in a sentence. */
export function periodThis(kind: SpendPeriod): string {
  return kind === "DAY" ? "today" : kind === "WEEK" ? "this week" : "this month";
}

/** "day", "week", "month": the period's noun (also its name in GET /v1/key). */
export function periodNoun(kind: SpendPeriod): string {
  return kind.toLowerCase();
}
