import "server-only";
import { notFound } from "next/navigation";
import type { Role, SessionUser } from "./session-user";

/** Support agents and admins: they work in the console and may see every account. */
export const STAFF_ROLES = ["SUPPORT", "ADMIN"] as const satisfies readonly Role[];

/** The roles in ascending order of power: each one may do what the ones before it may. */
const ROLE_ORDER = ["BUYER", "SUPPORT", "ADMIN"] as const satisfies readonly Role[];

/** `minRole` and every role above it, e.g. SUPPORT → [SUPPORT, ADMIN]. */
export function rolesAtLeast(minRole: Role): Role[] {
  return ROLE_ORDER.slice(ROLE_ORDER.indexOf(minRole));
}

export function isStaff(user: Pick<SessionUser, "role">): boolean {
  return (STAFF_ROLES as readonly Role[]).includes(user.role);
}

/**
 * Stops the request with a 404 unless the user has one of `roles`. A 404 rather than a 403: a
 * page or action someone may not use is presented as one that does not exist for them.
 */
export function assertRole(user: Pick<SessionUser, "role">, roles: readonly Role[]): void {
  if (!roles.includes(user.role)) notFound();
}

/** Where a user lands after signing in: staff in the console, buyers on their dashboard. */
export function homePathFor(user: Pick<SessionUser, "role">): "/console" | "/dashboard" {
  return isStaff(user) ? "/console" : "/dashboard";
}
