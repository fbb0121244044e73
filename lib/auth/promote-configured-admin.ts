import "server-only";
import type { Prisma } from "@/lib/db";
import { setUserRole } from "@/lib/users";

/**
 * Makes an address listed in ADMIN_EMAILS an admin when it signs in, audited as a role change by
 * "system". Runs at every sign-in, so an admin demoted in the console regains the role at their
 * next sign-in while their address stays in the list: the list is the operator's word.
 */
export async function promoteConfiguredAdmin(db: Prisma, email: string, adminEmails: readonly string[]): Promise<boolean> {
  const normalized = email.trim().toLowerCase();
  if (!adminEmails.includes(normalized)) return false;
  const result = await setUserRole(db, { email: normalized, role: "ADMIN", actor: { label: "system" }, reason: "listed in ADMIN_EMAILS" });
  return result.changed;
}
