/**
 * Calendar months in UTC, the period of a key's monthly spend limit. `id` names the month in
 * storage keys (`2026-11`); `end` is the first instant of the next month, which is when the
 * limit resets and what a refusal reports as `resetsAt`.
 */
export interface UtcMonth {
  /** `YYYY-MM`. */
  id: string;
  /** First instant of the month (inclusive). */
  start: Date;
  /** First instant of the next month (exclusive): the reset time. */
  end: Date;
}

export function utcMonth(now: Date): UtcMonth {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  return {
    id: `${String(year).padStart(4, "0")}-${String(month + 1).padStart(2, "0")}`,
    start: new Date(Date.UTC(year, month, 1)),
    end: new Date(Date.UTC(year, month + 1, 1)),
  };
}
