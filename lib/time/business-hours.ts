// When a first response is due: a number of business hours after a ticket opens, counting only
// the support desk's opening hours (Monday to Friday, in its time zone).

export interface BusinessHours {
  /** Opening and closing time, minutes after local midnight (e.g. 9 × 60 and 17 × 60). */
  openMinute: number;
  closeMinute: number;
  /** IANA time zone of the desk, e.g. "Europe/Berlin". */
  timeZone: string;
}

export const DEFAULT_BUSINESS_HOURS: BusinessHours = { openMinute: 9 * 60, closeMinute: 17 * 60, timeZone: "UTC" };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** How far `timeZone`'s wall clock is ahead of UTC at `at`, in milliseconds. */
function zoneOffsetMs(at: number, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(at)) if (part.type !== "literal") parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - (at - (((at % 1000) + 1000) % 1000));
}

/** Whether `timeZone` is a time zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * `start` plus `hours` of opening time: hours outside opening time and weekends do not count, so
 * a ticket opened on Friday at 16:00 with a 4-hour target is due on Monday at 12:00.
 */
export function addBusinessHours(start: Date, hours: number, desk: BusinessHours = DEFAULT_BUSINESS_HOURS): Date {
  const open = desk.openMinute * MINUTE;
  const close = desk.closeMinute * MINUTE;
  if (!(close > open) || hours <= 0) return new Date(start.getTime() + Math.max(0, hours) * 60 * MINUTE);
  // Work on the desk's wall clock expressed as if it were UTC, then convert back.
  let local = start.getTime() + zoneOffsetMs(start.getTime(), desk.timeZone);
  let remaining = hours * 60 * MINUTE;
  for (let guard = 0; guard < 10_000; guard++) {
    const dayStart = local - (((local % DAY) + DAY) % DAY);
    const weekday = new Date(dayStart).getUTCDay();
    if (weekday === 0 || weekday === 6 || local >= dayStart + close) {
      local = dayStart + DAY + open;
      continue;
    }
    if (local < dayStart + open) local = dayStart + open;
    const available = dayStart + close - local;
    if (remaining <= available) {
      local += remaining;
      break;
    }
    remaining -= available;
    local = dayStart + DAY + open;
  }
  const guess = local - zoneOffsetMs(local, desk.timeZone);
  return new Date(local - zoneOffsetMs(guess, desk.timeZone));
}

/** "09:00-17:00" or "9-17" → opening and closing minutes, or null. */
export function parseOpeningHours(text: string): { openMinute: number; closeMinute: number } | null {
  const match = /^\s*(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?\s*$/.exec(text);
  if (!match) return null;
  const openMinute = Number(match[1]) * 60 + Number(match[2] ?? 0);
  const closeMinute = Number(match[3]) * 60 + Number(match[4] ?? 0);
  if (openMinute >= closeMinute || closeMinute > 24 * 60 || Number(match[2] ?? 0) > 59 || Number(match[4] ?? 0) > 59) return null;
  return { openMinute, closeMinute };
}
