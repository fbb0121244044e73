import "server-only";
import type { z } from "zod";
import { requireRole } from "@/lib/auth/current-user";
import { rolesAtLeast, type STAFF_ROLES } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session-user";
import { defineAction, type ActionContext, type ActionOptions, type ServerAction } from "./define-action";
import type { ActionFailure } from "./action-state";

export type StaffRole = (typeof STAFF_ROLES)[number];

/**
 * A console action for `minRole` and above (SUPPORT: support agents and admins; ADMIN: admins).
 * Signed out → the sign-in page; anyone below `minRole` → 404, as for the console's pages; invalid
 * input → a failure with field errors. Staff see every account, so the handler has no account to
 * scope by; it passes the acting user on to the audit log.
 */
export function staffAction<Schema extends z.ZodType, State>(
  minRole: StaffRole,
  schema: Schema,
  handler: (context: ActionContext<{ user: SessionUser }, z.output<Schema>>) => Promise<State>,
  options?: ActionOptions<z.output<Schema>, State>,
): ServerAction<z.input<Schema>, State | ActionFailure> {
  const roles = rolesAtLeast(minRole);
  return defineAction(async () => ({ user: await requireRole(...roles) }), schema, handler, options);
}
