import "server-only";
import type { PrismaTypes } from "@/lib/db/types";

/** Who performed an act: a signed-in user, or a named system actor. */
export type Actor = { userId: string; ip?: string | null } | { label: "cli" | "webhook" | "system"; ip?: string | null };

export interface AuditEntry {
  actor: Actor;
  action: string;
  targetType: string;
  targetId: string;
  details?: PrismaTypes.InputJsonValue;
}

type AuditWriter = { auditLog: { create(args: { data: PrismaTypes.AuditLogUncheckedCreateInput }): Promise<unknown> } };

/**
 * Appends one entry to the audit log. Pass the transaction client when the act itself is
 * written in a transaction, so the act and its record land together or not at all.
 * Details must never contain a secret (keys, tokens): callers pass identifiers and masks only.
 */
export async function recordAudit(db: AuditWriter, entry: AuditEntry): Promise<void> {
  const { actor } = entry;
  await db.auditLog.create({
    data: {
      actorId: "userId" in actor ? actor.userId : null,
      actorLabel: "userId" in actor ? "user" : actor.label,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      details: entry.details,
      ip: actor.ip ?? null,
    },
  });
}
