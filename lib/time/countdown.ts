// Pure arithmetic behind the order page's live countdown: no React, no timers, so every rule
// (clock offset, whole-second ticks, phases, wording) is unit-tested here.

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * How far the server's clock is ahead of the browser's, from one `GET /api/time` round trip: the
 * server read its clock about halfway between sending and receiving (the round-trip midpoint).
 */
export function clockOffsetMs(sample: { sentAtMs: number; receivedAtMs: number; serverMs: number }): number {
  return sample.serverMs - (sample.sentAtMs + sample.receivedAtMs) / 2;
}

/** Of several samples, the one with the shortest round trip is the least distorted by the network. */
export function bestClockOffsetMs(samples: { sentAtMs: number; receivedAtMs: number; serverMs: number }[]): number {
  if (samples.length === 0) return 0;
  const best = samples.reduce((a, b) => (b.receivedAtMs - b.sentAtMs < a.receivedAtMs - a.sentAtMs ? b : a));
  return clockOffsetMs(best);
}

export type CountdownPhase = "before" | "running" | "ended";

export interface CountdownState {
  phase: CountdownPhase;
  /** Until the start ("before"), until the end ("running"), 0 once ended. */
  remainingMs: number;
}

/** Where the window stands at `serverNowMs` (the browser clock plus the offset). */
export function countdownState(serverNowMs: number, startMs: number, endMs: number): CountdownState {
  if (serverNowMs >= endMs) return { phase: "ended", remainingMs: 0 };
  if (serverNowMs < startMs) return { phase: "before", remainingMs: startMs - serverNowMs };
  return { phase: "running", remainingMs: endMs - serverNowMs };
}

/**
 * Milliseconds until the displayed (whole-second, rounded up) value next changes. Each tick is
 * scheduled from a fresh clock reading, so ticks land on the second and never accumulate drift.
 */
export function msUntilNextTick(remainingMs: number): number {
  if (remainingMs <= 0) return SECOND;
  const rest = remainingMs % SECOND;
  return rest === 0 ? SECOND : rest;
}

/** The whole seconds shown for `remainingMs`: rounded up, so "0" appears only at the end itself. */
export function displaySeconds(remainingMs: number): number {
  return Math.max(0, Math.ceil(remainingMs / SECOND));
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "3d 04:05:06", "04:05:06", "00:00:09": the ticking display. */
export function formatCountdown(remainingMs: number): string {
  let s = displaySeconds(remainingMs);
  const days = Math.floor(s / 86_400);
  s -= days * 86_400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  const seconds = s - minutes * 60;
  const clock = `${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/**
 * The remaining time in words for screen readers, at the granularity they are told about it:
 * days and hours far out, hours and minutes within a day, whole minutes within an hour, and
 * ten-second steps in the last minute.
 */
export function describeRemaining(remainingMs: number): string {
  const s = displaySeconds(remainingMs);
  if (s <= 0) return "no time";
  if (s <= 60) return plural(Math.ceil(s / 10) * 10, "second");
  const totalMinutes = Math.ceil(s / 60);
  if (totalMinutes < 60) return plural(totalMinutes, "minute");
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  if (days > 0) return hours > 0 ? `${plural(days, "day")} ${plural(hours, "hour")}` : plural(days, "day");
  return minutes > 0 ? `${plural(hours, "hour")} ${plural(minutes, "minute")}` : plural(hours, "hour");
}

/** The sentence for the polite live region; it changes (and is announced) only when the words do. */
export function countdownAnnouncement(state: CountdownState): string {
  if (state.phase === "ended") return "Access has expired.";
  if (state.phase === "before") return `Access starts in ${describeRemaining(state.remainingMs)}.`;
  return `${describeRemaining(state.remainingMs)} of access left.`;
}
