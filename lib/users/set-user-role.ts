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

/** Refused: the change would leave the console without an admin. */
export class LastAdminError extends Error {
  constructor(email: string) {
    super(`${email} is the last admin. Make someone else an admin first.`);
    this.name = "LastAdminError";
  }
}

/**
 * Changes a user's role and audits the change (old and new role, and why when given) in the same
 * transaction. The last admin cannot be demoted: checked inside the write, with the admins
 * locked, so no two changes at once can take the console's last admin away.
 */
export async function setUserRole(db: Prisma, input: { email: string; role: RoleName; actor: Actor; reason?: string }) {
  const email = z.email().parse(input.email.trim().toLowerCase());
  const role = roleSchema.parse(input.role);
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { email }, select: { id: true, role: true } });
    if (!user) throw new UserNotFoundError(email);
    if (user.role === role) return { id: user.id, email, role, previousRole: user.role, changed: false };
    if (user.role === "ADMIN") {
      // Lock every admin row first: two admins demoting each other at once then run one after the
      // other, and the second sees that the first already left only one admin. (A count without
      // the lock would let both see two admins and both proceed.)
      const admins = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE role = 'ADMIN' FOR UPDATE`;
      if (!admins.some((a) => a.id !== user.id)) throw new LastAdminError(email);
    }
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
