// A channel that keeps failing is skipped for a cool-down, so requests do not each pay its
// timeout. After the cool-down one request is let through as a trial: success closes the
// circuit, failure opens it again.

import { processSingleton } from "@/lib/server/process-singleton";

const FAILURES_TO_OPEN = 3;
const COOL_DOWN_MS = 30_000;

interface State {
  failures: number;
  openUntil: number;
  trialInFlight: boolean;
}

const STATES = processSingleton<{ current?: Map<string, State> }>("gateway.circuits", () => ({}));
/** Each channel's latest failure seen by this process (kept after the circuit closes again), for the console. */
const LAST_FAILURES = processSingleton<{ current?: Map<string, ChannelFailure> }>("gateway.lastChannelFailures", () => ({}));

export interface ChannelFailure {
  at: Date;
  /** What happened, in words without secrets: "HTTP 503", "timed out", "connection refused". */
  reason: string;
}

function states(): Map<string, State> {
  STATES.current ??= new Map();
  return STATES.current;
}

/** Whether a request may go to this channel now. */
export function circuitAllows(channelId: string, now?: number): boolean {
  const s = states().get(channelId);
  if (!s || s.failures < FAILURES_TO_OPEN) return true;
  if ((now ?? Date.now()) < s.openUntil) return false;
  if (s.trialInFlight) return false;
  s.trialInFlight = true;
  return true;
}

export function recordChannelSuccess(channelId: string): void {
  states().delete(channelId);
}

export function recordChannelFailure(channelId: string, now = Date.now(), reason?: string): void {
  if (reason !== undefined) {
    LAST_FAILURES.current ??= new Map();
    LAST_FAILURES.current.set(channelId, { at: new Date(now), reason });
  }
  const s = states().get(channelId) ?? { failures: 0, openUntil: 0, trialInFlight: false };
  s.failures += 1;
  s.trialInFlight = false;
  if (s.failures >= FAILURES_TO_OPEN) s.openUntil = now + COOL_DOWN_MS;
  states().set(channelId, s);
}

export function resetCircuits(): void {
  states().clear();
  LAST_FAILURES.current?.clear();
}

/** This process's view of a channel's circuit, for the console (asking does not take a trial). */
export function circuitView(
  channelId: string,
  now = Date.now(),
): { state: "closed" | "open" | "half-open"; failures: number; openUntil: Date | null; lastFailure: ChannelFailure | null } {
  const s = states().get(channelId);
  const lastFailure = LAST_FAILURES.current?.get(channelId) ?? null;
  if (!s || s.failures < FAILURES_TO_OPEN) return { state: "closed", failures: s?.failures ?? 0, openUntil: null, lastFailure };
  return { state: now < s.openUntil ? "open" : "half-open", failures: s.failures, openUntil: new Date(s.openUntil), lastFailure };
}

/**
 * The channels to try, in order: those whose circuit allows a request; all of them if none does.
 * Lazily: a circuit is asked only when its channel is next, because asking takes the half-open
 * circuit's one trial, and a channel that is never tried (an earlier one answered) must keep it.
 */
export function* attemptOrder<C extends { id: string }>(channels: C[]): Generator<C, void, undefined> {
  let allowed = false;
  for (const channel of channels) {
    if (!circuitAllows(channel.id)) continue;
    allowed = true;
    yield channel;
  }
  if (!allowed) yield* channels;
}
