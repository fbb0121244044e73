import "server-only";
import type { Prisma } from "@/lib/db";

/**
 * Who may get a sign-in link: anyone with a user record (buyers are created with their first
 * order, staff by an admin or the CLI) and the addresses in ADMIN_EMAILS, which may sign in
 * before their record exists. Links are not sent to anyone else, so the form cannot be used to
 * create accounts or to mail strangers.
 */
export async function canReceiveSignInLink(db: Prisma, email: string, adminEmails: readonly string[]): Promise<boolean> {
  if (adminEmails.includes(email)) return true;
  return (await db.user.findUnique({ where: { email }, select: { id: true } })) !== null;
}
