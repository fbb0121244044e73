import "server-only";
import { notFound } from "next/navigation";
import type { z } from "zod";
import { requireUser } from "@/lib/auth/current-user";
import { assertRole } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session-user";
import { defineAction, type ActionContext, type ActionOptions, type ServerAction } from "./define-action";
import type { ActionFailure } from "./action-state";

/** A buyer with an account: what a buyer action's handler is given besides its input. */
export type BuyerCaller = { user: SessionUser; customerId: string };

async function authorizeBuyer(): Promise<BuyerCaller> {
  const user = await requireUser();
  // Staff may read every account but do not act as its buyer (reveal, rotate): a 404 for them.
  assertRole(user, ["BUYER"]);
  // A buyer who has not bought yet owns nothing; failing here keeps a null account id out of queries.
  if (!user.customerId) notFound();
  return { user, customerId: user.customerId };
}

/**
 * A server action a buyer takes on their own account. Signed out → the sign-in page; staff or a
 * buyer without an account → 404; invalid input → a failure with field errors. The handler gets
 * `customerId` and must scope every read and write of a record by it (or call a lib function that
 * does), so a record of another account is "not found".
 */
export function buyerAction<Schema extends z.ZodType, State>(
  schema: Schema,
  handler: (context: ActionContext<BuyerCaller, z.output<Schema>>) => Promise<State>,
  options?: ActionOptions<z.output<Schema>, State>,
): ServerAction<z.input<Schema>, State | ActionFailure> {
  return defineAction(authorizeBuyer, schema, handler, options);
}
