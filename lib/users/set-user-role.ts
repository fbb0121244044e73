import "server-only";
import { z } from "zod";
import { recordAudit, type Actor } from "@/lib/audit";
import type { Prisma } from "@/lib/db";

export const roleSchema = z.enum(["BUYER", "SUPPORT", "ADMIN"]);
export type RoleName = z.infer<typeof roleSchema>;

export class UserNotFoundError extends Error {
  constructor(email: string) {
    super(`No user with the email ${email}.`);
    this.name = "UserNotFoundError";
  }
}

/**
 * Changes a user's role and audits the change (old and new role, and why when given) in the same
 * transaction.
 */
export async function setUserRole(db: Prisma, input: { email: string; role: RoleName; actor: Actor; reason?: string }) {
  const email = z.email().parse(input.email.trim().toLowerCase());
  const role = roleSchema.parse(input.role);
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { email }, select: { id: true, role: true } });
    if (!user) throw new UserNotFoundError(email);
    if (user.role === role) return { id: user.id, email, role, previousRole: user.role, changed: false };
    await tx.user.update({ where: { id: user.id }, data: { role } });
    // Sessions carry no role: the next request reads the new one, so nothing else to revoke.
    await recordAudit(tx, {
      actor: input.actor,
      action: "user.role_changed",
      targetType: "user",
      targetId: user.id,
      details: { email, from: user.role, to: role, ...(input.reason ? { reason: input.reason } : {}) },
    });
    return { id: user.id, email, role, previousRole: user.role, changed: true };
  });
}
