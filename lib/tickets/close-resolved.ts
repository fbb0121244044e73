import "server-only";
import type { Prisma } from "@/lib/db";
import { RESOLVED_AUTO_CLOSE_MS } from "./ticket-labels";

/**
 * Closes tickets resolved more than 7 days ago without a buyer reply since (a reply reopens a
 * ticket and clears `resolvedAt`). Run by the timed sweep (lib/notifications), not on reads: the
 * index on (status, resolvedAt) makes the usual "nothing to close" a single index probe, and
 * running it twice (two instances) closes nothing twice.
 */
export async function closeResolvedTickets(db: Prisma, now: Date = new Date()): Promise<number> {
  const { count } = await db.ticket.updateMany({
    where: { status: "RESOLVED", resolvedAt: { lte: new Date(now.getTime() - RESOLVED_AUTO_CLOSE_MS) } },
    data: { status: "CLOSED" },
  });
  return count;
}

/** Whether a resolved ticket is past its 7 days (a reply then no longer reopens it), closed by the sweep or not yet. */
export function isPastAutoClose(ticket: { status: string; resolvedAt: Date | null }, now: Date): boolean {
  return ticket.status === "RESOLVED" && ticket.resolvedAt !== null && ticket.resolvedAt.getTime() <= now.getTime() - RESOLVED_AUTO_CLOSE_MS;
}
