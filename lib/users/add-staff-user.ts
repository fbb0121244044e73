import "server-only";
import { z } from "zod";
import { recordAudit, type Actor } from "@/lib/audit";
import type { Prisma } from "@/lib/db";

export class UserExistsError extends Error {
  constructor(email: string) {
    super(`${email} already has an account. Change its role with: user role --email ${email} --role ROLE`);
    this.name = "UserExistsError";
  }
}

/**
 * Adds a support agent or an admin who has no account yet, so they can ask for a sign-in link
 * (links go only to known addresses). Audited with the new user's address and role.
 */
export async function addStaffUser(db: Prisma, input: { email: string; role: "SUPPORT" | "ADMIN"; name?: string; actor: Actor }) {
  const email = z.email().parse(input.email.trim().toLowerCase());
  const role = z.enum(["SUPPORT", "ADMIN"]).parse(input.role);
  return db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email }, select: { id: true } })) throw new UserExistsError(email);
    const user = await tx.user.create({ data: { email, role, name: input.name ?? null }, select: { id: true } });
    await recordAudit(tx, { actor: input.actor, action: "user.created", targetType: "user", targetId: user.id, details: { email, role } });
    return { id: user.id, email, role };
  });
}
