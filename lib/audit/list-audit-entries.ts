import "server-only";
import type { Prisma } from "@/lib/db";

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

/** The newest audit entries, for the console's audit log. */
export async function listAuditEntries(db: Prisma, options: { take?: number } = {}): Promise<AuditEntrySummary[]> {
  const rows = await db.auditLog.findMany({
    orderBy: { id: "desc" },
    take: options.take ?? 100,
    select: { id: true, createdAt: true, actorLabel: true, action: true, targetType: true, targetId: true, details: true, ip: true, actor: { select: { email: true } } },
  });
  return rows.map((r) => ({
    id: r.id.toString(),
    createdAt: r.createdAt,
    actor: r.actor?.email ?? r.actorLabel,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    details: r.details === null ? null : JSON.stringify(r.details),
    ip: r.ip,
  }));
}
