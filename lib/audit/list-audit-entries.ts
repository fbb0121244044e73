import "server-only";
import { z } from "zod";
import type { Prisma } from "@/lib/db";
import type { PrismaTypes } from "@/lib/db/types";
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

/** A day (YYYY-MM-DD, UTC) from the URL, or "" when absent or malformed. */
const dayFilterSchema = z.iso.date().or(z.literal("")).catch("");

/**
 * URL state of the audit log: by time (the id, which only grows), newest first. Filters: `actor`
 * (part of the actor's email, or cli / webhook / system), `action` (part of it), `target` (part
 * of the target id, or its type), `from` / `to` (UTC days, both included), and `q`, which matches
 * the action, the target id or the actor's email at once.
 */
export const auditListQuerySchema = listQuerySchema(["time"], { sort: "time", dir: "desc" }).extend({
  q: textFilterSchema,
  actor: textFilterSchema,
  action: textFilterSchema,
  target: textFilterSchema,
  from: dayFilterSchema,
  to: dayFilterSchema,
});
export type AuditListQuery = z.infer<typeof auditListQuerySchema>;

const SYSTEM_ACTORS = new Set(["cli", "webhook", "system"]);

/** The audit log rows `query`'s filters select (the cursor aside). */
export function auditFilterWhere(query: Omit<AuditListQuery, "sort" | "dir" | "cursor">): PrismaTypes.AuditLogWhereInput[] {
  const { q, actor, action, target, from, to } = query;
  const where: PrismaTypes.AuditLogWhereInput[] = [];
  if (q)
    where.push({ OR: [{ action: { contains: q, mode: "insensitive" } }, { targetId: { contains: q } }, { actor: { email: { contains: q.toLowerCase() } } }] });
  if (actor) {
    const lower = actor.toLowerCase();
    where.push(SYSTEM_ACTORS.has(lower) ? { actorLabel: lower } : { actor: { email: { contains: lower } } });
  }
  if (action) where.push({ action: { contains: action, mode: "insensitive" } });
  if (target) where.push({ OR: [{ targetId: { contains: target } }, { targetType: target.toLowerCase() }] });
  if (from) where.push({ createdAt: { gte: new Date(`${from}T00:00:00.000Z`) } });
  if (to) where.push({ createdAt: { lt: new Date(new Date(`${to}T00:00:00.000Z`).getTime() + 86_400_000) } });
  return where;
}

const cursorSchema = z.tuple([
  z
    .string()
    .regex(/^\d{1,19}$/)
    .transform((id) => BigInt(id)),
]);

/** One page of audit entries, for the console's audit log. */
export async function listAuditEntries(db: Prisma, input: { query: AuditListQuery; take?: number }): Promise<Page<AuditEntrySummary>> {
  const { dir } = input.query;
  const take = input.take ?? 50;
  const position = decodeCursor(input.query.cursor, cursorSchema);
  const rows = await db.auditLog.findMany({
    where: {
      AND: [...auditFilterWhere(input.query), position ? { id: beyond(dir, position[0]) } : {}],
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
