"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { bestClockOffsetMs, countdownAnnouncement, countdownState, formatCountdown, msUntilNextTick, type CountdownState } from "@/lib/time/countdown";
import { useOrderLive } from "./order-live";

/** A timer that fires this much later than asked means the machine slept or the tab was frozen. */
const LATE_TIMER_MS = 2_000;

async function measureOffset(): Promise<number | null> {
  const samples: { sentAtMs: number; receivedAtMs: number; serverMs: number }[] = [];
  for (let i = 0; i < 3; i++) {
    try {
      const sentAtMs = Date.now();
      const response = await fetch("/api/time", { cache: "no-store" });
      const receivedAtMs = Date.now();
      const body = (await response.json()) as { epochMs?: unknown };
      if (typeof body.epochMs === "number") samples.push({ sentAtMs, receivedAtMs, serverMs: body.epochMs });
    } catch {
      // Offline for a moment: keep the previous offset.
    }
  }
  return samples.length > 0 ? bestClockOffsetMs(samples) : null;
}

/**
 * The remaining time of an order, ticking every second against the server's clock. Each tick is
 * scheduled for the next whole second from a fresh clock reading (no accumulated intervals); the
 * browser-vs-server offset is measured on load, when the tab becomes visible again and after a
 * sleep. At zero it shows Expired, tells the credential card to hide the key, and refreshes the
 * page from the server. Screen readers hear a polite update when the words change (each minute,
 * each 10 s in the last minute), not every second.
 */
export function Countdown({ start, end, serverNow }: { start: string; end: string; serverNow: number }) {
  const router = useRouter();
  const { markExpired } = useOrderLive();
  const startMs = Date.parse(start);
  const endMs = Date.parse(end);
  const [state, setState] = useState<CountdownState>(() => countdownState(serverNow, startMs, endMs));
  const offset = useRef<number | null>(null);
  const phase = useRef(state.phase);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let expectedAt = 0;
    let stopped = false;

    const schedule = (delay: number) => {
      clearTimeout(timer);
      expectedAt = Date.now() + delay;
      timer = setTimeout(tick, delay);
    };
    const remeasure = () => {
      void measureOffset().then((measured) => {
        if (stopped) return;
        if (measured !== null) offset.current = measured;
        schedule(0);
      });
    };
    function tick() {
      if (stopped) return;
      if (expectedAt > 0 && Date.now() - expectedAt > LATE_TIMER_MS) {
        expectedAt = 0;
        remeasure();
      }
      // Until the first measurement the browser's clock is taken as it is.
      const next = countdownState(Date.now() + (offset.current ?? 0), startMs, endMs);
      setState(next);
      if (next.phase !== phase.current) {
        const previous = phase.current;
        phase.current = next.phase;
        if (next.phase === "ended") markExpired();
        if (previous !== "ended") router.refresh();
      }
      if (next.phase !== "ended") schedule(msUntilNextTick(next.remainingMs));
    }
    const onVisibility = () => {
      if (document.visibilityState === "visible") remeasure();
    };
    schedule(0);
    remeasure();
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("online", remeasure);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("online", remeasure);
    };
  }, [startMs, endMs, serverNow, markExpired, router]);

  return (
    <div>
      {state.phase === "ended" ? (
        <p className="text-3xl font-semibold" data-testid="countdown">
          Expired
        </p>
      ) : (
        <>
          <p className="text-sm text-muted">{state.phase === "before" ? "Starts in" : "Time left"}</p>
          <p
            role="timer"
            aria-label={state.phase === "before" ? "Access starts in" : "Access time left"}
            className="font-mono text-3xl font-semibold tabular-nums"
            data-testid="countdown"
          >
            {formatCountdown(state.remainingMs)}
          </p>
        </>
      )}
      <p aria-live="polite" aria-atomic="true" className="sr-only">
        {countdownAnnouncement(state)}
      </p>
    </div>
  );
}
