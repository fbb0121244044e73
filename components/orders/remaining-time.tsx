"use client";

import { useNow } from "@/components/use-now";
import { countdownState, describeRemaining } from "@/lib/time/countdown";

/** A compact "3 days 4 hours left" for the dashboard, refreshed every 15 seconds. */
export function RemainingTime({ start, end, serverNow }: { start: string; end: string; serverNow: number }) {
  const now = useNow(serverNow);
  const state = countdownState(now, Date.parse(start), Date.parse(end));
  if (state.phase === "ended") return <span className="text-muted">None</span>;
  if (state.phase === "before") return <span>Starts in {describeRemaining(state.remainingMs)}</span>;
  return <span>{describeRemaining(state.remainingMs)} left</span>;
}
