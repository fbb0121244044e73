"use server";

import { after } from "next/server";
import { z } from "zod";
import { staffAction, type ActionState } from "@/lib/actions";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { mailNewOrderLink, replayWebhookEvent, WebhookReplayError } from "@/lib/marketplace";

export type ReplayState = ActionState<{ status: "success"; message: string }>;

const replaySchema = z.object({ eventId: z.string({ error: "The event is missing." }).trim().min(1).max(100) });

// Console > Marketplace events: apply a stored event again once its cause is fixed (the plan
// exists, the order arrived). Admins only; the replay and its outcome are audited with the admin.
export const replayEventAction = staffAction(
  "ADMIN",
  replaySchema,
  async ({ user, clientIp, input }): Promise<ReplayState> => {
    const db = getDb();
    const answer = await replayWebhookEvent(db, input.eventId, { keys: getSecretKeys(), actor: { userId: user.id, ip: clientIp } });
    // No revalidation: the row stays, with the outcome beside it, until the page is loaded again.
    if (answer.status !== 200) {
      const reason = (answer.body.error as { message?: string } | undefined)?.message ?? "unknown reason";
      return { status: "error", message: `Still cannot be applied: ${reason}` };
    }
    const created = answer.created;
    if (created) after(() => mailNewOrderLink(db, { email: created.email, orderId: created.orderId }));
    return {
      status: "success",
      message: created ? `Applied: order ${created.marketplaceOrderId} created, sign-in link mailed to ${created.email}.` : "Applied.",
    };
  },
  { describeError: (error) => (error instanceof WebhookReplayError ? error.message : undefined) },
);
