import "server-only";
import type { Role } from "@/lib/db/types";
import type { Prisma } from "@/lib/db";

export type { Role };

/** Who is calling: what pages, actions and access checks need, read fresh on every request. */
export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  /** The buyer's account; null for staff and for buyers who have not bought yet. */
  customerId: string | null;
}

const sessionUserSelect = { id: true, email: true, name: true, role: true, customerId: true } as const;

/**
 * Loads the user behind a session. The role is read here, on each request, rather than stored in
 * the session: a role change applies at the next request with nothing to revoke.
 */
export async function loadSessionUser(db: Prisma, userId: string): Promise<SessionUser | null> {
  return db.user.findUnique({ where: { id: userId }, select: sessionUserSelect });
}
