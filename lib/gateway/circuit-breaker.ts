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

export function recordChannelFailure(channelId: string, now = Date.now()): void {
  const s = states().get(channelId) ?? { failures: 0, openUntil: 0, trialInFlight: false };
  s.failures += 1;
  s.trialInFlight = false;
  if (s.failures >= FAILURES_TO_OPEN) s.openUntil = now + COOL_DOWN_MS;
  states().set(channelId, s);
}

export function resetCircuits(): void {
  states().clear();
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
