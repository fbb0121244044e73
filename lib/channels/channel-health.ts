import "server-only";
import type { Prisma } from "@/lib/db";
import { circuitView, type ChannelFailure } from "@/lib/gateway/circuit-breaker";

// How each channel is doing: from the request log (the requests it served over the last hour,
// and its latest error over the last day) and from this process's circuit breaker. The breaker is
// per instance: with several instances each has its own view, and this is the view of the
// instance that renders the page.

export const HEALTH_WINDOW_MS = 60 * 60 * 1000;
const LAST_ERROR_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ChannelHealth {
  /** Requests this channel answered in the last hour. */
  requests: number;
  /** Share of them answered 2xx/3xx, 0..1; null without requests. */
  successRate: number | null;
  /** Median time to first byte, ms; null without requests that measured it. */
  p50TtfbMs: number | null;
  /** The latest request through this channel that ended in an error, within a day. */
  lastLoggedError: { at: Date; status: number; errorCode: string | null } | null;
  /** This instance's circuit breaker. */
  circuit: { state: "closed" | "open" | "half-open"; failures: number; openUntil: Date | null; lastFailure: ChannelFailure | null };
}

/** Health of the given channels, one read of the last hour and one of the last day's errors. */
export async function channelHealth(db: Prisma, channelIds: string[], now = new Date()): Promise<Map<string, ChannelHealth>> {
  const health = new Map<string, ChannelHealth>();
  if (channelIds.length === 0) return health;
  const since = new Date(now.getTime() - HEALTH_WINDOW_MS);
  const errorsSince = new Date(now.getTime() - LAST_ERROR_WINDOW_MS);
  // Both read by the createdAt index, then grouped: an hour (a day of errors) of rows, not the table.
  const [stats, errors] = await Promise.all([
    db.$queryRaw<{ channelId: string; requests: bigint; ok: bigint; p50: number | null }[]>`
      SELECT "channelId", count(*) AS requests,
             count(*) FILTER (WHERE status >= 200 AND status < 400) AS ok,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY "ttfbMs") AS p50
        FROM request_logs
       WHERE "createdAt" >= ${since} AND "channelId" = ANY(${channelIds})
       GROUP BY "channelId"`,
    db.$queryRaw<{ channelId: string; createdAt: Date; status: number; errorCode: string | null }[]>`
      SELECT DISTINCT ON ("channelId") "channelId", "createdAt", status, "errorCode"
        FROM request_logs
       WHERE "createdAt" >= ${errorsSince} AND "channelId" = ANY(${channelIds}) AND status >= 400 AND status <> 499
       ORDER BY "channelId", "createdAt" DESC`,
  ]);
  const statsBy = new Map(stats.map((s) => [s.channelId, s]));
  const errorBy = new Map(errors.map((e) => [e.channelId, e]));
  for (const id of channelIds) {
    const s = statsBy.get(id);
    const e = errorBy.get(id);
    const requests = s ? Number(s.requests) : 0;
    health.set(id, {
      requests,
      successRate: requests > 0 ? Number(s!.ok) / requests : null,
      p50TtfbMs: s?.p50 === null || s?.p50 === undefined ? null : Math.round(Number(s.p50)),
      lastLoggedError: e ? { at: new Date(e.createdAt), status: e.status, errorCode: e.errorCode } : null,
      circuit: circuitView(id, now.getTime()),
    });
  }
  return health;
}
