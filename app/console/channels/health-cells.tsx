import { LocalTime } from "@/components/local-time";
import { Badge } from "@/components/ui/badge";
import type { ChannelHealth } from "@/lib/channels";

/** "97 %" of the last hour's requests, or a dash without any. */
export function successRateText(health: ChannelHealth | undefined): string {
  if (!health || health.successRate === null) return "–";
  return `${Math.round(health.successRate * 1000) / 10} %`;
}

export function ttfbText(health: ChannelHealth | undefined): string {
  return health?.p50TtfbMs === null || health?.p50TtfbMs === undefined ? "–" : `${health.p50TtfbMs} ms`;
}

/** The circuit's state as a badge whose text names it (colour is not the only signal). */
export function CircuitBadge({ health }: { health: ChannelHealth | undefined }) {
  const state = health?.circuit.state ?? "closed";
  if (state === "closed") return <Badge tone="success">Closed</Badge>;
  if (state === "half-open") return <Badge tone="warning">Half-open</Badge>;
  return <Badge tone="danger">Open{health?.circuit.openUntil ? <span className="sr-only">, skipped until the cool-down ends</span> : null}</Badge>;
}

/** The latest error seen: from the request log, or this instance's latest upstream failure, whichever is newer. */
export function LastError({ health }: { health: ChannelHealth | undefined }) {
  const logged = health?.lastLoggedError ?? null;
  const seen = health?.circuit.lastFailure ?? null;
  if (!logged && !seen) return <span className="text-muted">None</span>;
  const useSeen = seen && (!logged || seen.at > logged.at);
  return (
    <span className="break-words">
      {useSeen ? seen.reason : `HTTP ${logged!.status}${logged!.errorCode ? ` ${logged!.errorCode}` : ""}`}{" "}
      <span className="text-xs text-muted">
        (<LocalTime value={useSeen ? seen.at : logged!.at} />)
      </span>
    </span>
  );
}
