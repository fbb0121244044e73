import "server-only";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/lib/db";
import { auth } from "./auth";
import { assertRole, STAFF_ROLES } from "./roles";
import { loadSessionUser, type Role, type SessionUser } from "./session-user";

// The one way pages, layouts, server actions and route handlers learn who is calling. Each entry
// point calls one of these itself; proxy.ts and layouts only redirect early and prove nothing.

/** The signed-in user, or null. Read once per request (React `cache`), from the database. */
export const getCurrentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  const id = session?.user?.id;
  if (typeof id !== "string" || id.length === 0) return null;
  return loadSessionUser(getDb(), id);
});

/** The signed-in user; anyone else is sent to the sign-in page. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/signin");
  return user;
}

/** The signed-in user if they have one of `roles`; a 404 for anyone else signed in. */
export async function requireRole(...roles: Role[]): Promise<SessionUser> {
  const user = await requireUser();
  assertRole(user, roles);
  return user;
}

/** A support agent or admin (the console). */
export function requireStaff(): Promise<SessionUser> {
  return requireRole(...STAFF_ROLES);
}

/** An admin (plans, prices, channels, roles, audit log). */
export function requireAdmin(): Promise<SessionUser> {
  return requireRole("ADMIN");
}
