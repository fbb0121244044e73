import "server-only";
import type { Prisma } from "@/lib/db";
import { RESOLVED_AUTO_CLOSE_MS } from "./ticket-labels";

/**
 * Closes tickets resolved more than 7 days ago without a buyer reply since (a reply reopens a
 * ticket and clears `resolvedAt`). Run before every ticket read: the rule lives in the data, so
 * it holds across restarts and instances without a timer, and the index on (status, resolvedAt)
 * makes the usual "nothing to close" a single index probe.
 */
export async function closeResolvedTickets(db: Prisma, now: Date = new Date()): Promise<number> {
  const { count } = await db.ticket.updateMany({
    where: { status: "RESOLVED", resolvedAt: { lte: new Date(now.getTime() - RESOLVED_AUTO_CLOSE_MS) } },
    data: { status: "CLOSED" },
  });
  return count;
}
