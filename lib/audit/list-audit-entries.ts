import "server-only";
import { z } from "zod";
import type { Prisma } from "@/lib/db";
import { beyond, decodeCursor, encodeCursor, listQuerySchema, textFilterSchema, toPage, type Page } from "@/lib/pagination";

export interface AuditEntrySummary {
  id: string;
  createdAt: Date;
  /** The acting user's email, or the system actor's label ("cli", "webhook", "system"). */
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  details: string | null;
  ip: string | null;
}

/**
 * URL state of the audit log: by time (the id, which only grows), newest first; `q` matches the
 * action, the target id or the actor's email.
 */
export const auditListQuerySchema = listQuerySchema(["time"], { sort: "time", dir: "desc" }).extend({ q: textFilterSchema });
export type AuditListQuery = z.infer<typeof auditListQuerySchema>;

const cursorSchema = z.tuple([
  z
    .string()
    .regex(/^\d{1,19}$/)
    .transform((id) => BigInt(id)),
]);

/** One page of audit entries, for the console's audit log. */
export async function listAuditEntries(db: Prisma, input: { query: AuditListQuery; take?: number }): Promise<Page<AuditEntrySummary>> {
  const { dir, q } = input.query;
  const take = input.take ?? 50;
  const position = decodeCursor(input.query.cursor, cursorSchema);
  const rows = await db.auditLog.findMany({
    where: {
      AND: [
        q ? { OR: [{ action: { contains: q, mode: "insensitive" } }, { targetId: { contains: q } }, { actor: { email: { contains: q.toLowerCase() } } }] } : {},
        position ? { id: beyond(dir, position[0]) } : {},
      ],
    },
    orderBy: { id: dir },
    take: take + 1,
    select: {
      id: true,
      createdAt: true,
      actorLabel: true,
      action: true,
      targetType: true,
      targetId: true,
      details: true,
      ip: true,
      actor: { select: { email: true } },
    },
  });
  const page = toPage(rows, take, (r) => encodeCursor([r.id.toString()]));
  return {
    nextCursor: page.nextCursor,
    rows: page.rows.map((r) => ({
      id: r.id.toString(),
      createdAt: r.createdAt,
      actor: r.actor?.email ?? r.actorLabel,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      details: r.details === null ? null : JSON.stringify(r.details),
      ip: r.ip,
    })),
  };
}
