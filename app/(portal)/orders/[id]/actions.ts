"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { buyerAction, type ActionState } from "@/lib/actions";
import { requireApiKeyAccess } from "@/lib/auth";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { KeyRotationError, revealApiKey, rotateOwnApiKey, selfRotationOverlapSchema, SelfRotationRefusedError, type SelfRotationRefusal } from "@/lib/keys";

export type RevealKeyState =
  | { status: "revealed"; key: string }
  | { status: "already_revealed" }
  | { status: "not_revealable" }
  | { status: "invalid" }
  | { status: "error"; message: string };

export type RotateKeyState = ActionState<{ status: "rotated"; newKeyId: string }>;

const keyIdSchema = z.string().min(1).max(100);
const revealKeySchema = z.object({ keyId: keyIdSchema });
const rotateKeySchema = z.object({ keyId: keyIdSchema, overlap: selfRotationOverlapSchema.default("none") });

const REPLACED_MESSAGE = "This key was already replaced. Reload the page to see the current one.";
const REFUSAL_MESSAGES: Record<SelfRotationRefusal, string> = {
  plan_excludes_self_rotation: "Your plan does not include rotating keys yourself. Ask support for a rotation.",
  order_not_active: "This order's access window is not open, so its key cannot be rotated.",
  key_replaced: REPLACED_MESSAGE,
  key_not_active: "Only an active key can be rotated. Ask support if this key should work.",
};

// Order page > Credential card > Reveal. The plaintext goes to this one response only. Staff may
// open a buyer's order page, but revealing is the buyer's act alone (buyerAction: 404 for staff).
export const revealKeyAction = buyerAction(
  revealKeySchema,
  async ({ user, customerId, clientIp, input }): Promise<RevealKeyState> => {
    const db = getDb();
    // A 404 for a key outside the buyer's account; the reveal's UPDATE is scoped by account too.
    const key = await requireApiKeyAccess(db, user, input.keyId);
    const result = await revealApiKey(db, { keyId: key.id, customerId, actor: { userId: user.id, ip: clientIp }, keys: getSecretKeys() });
    if (result.status === "revealed") return { status: "revealed", key: result.key };
    return { status: result.status };
  },
  // The card calls this from code, not a form: one status says "bad request" without field messages.
  { onInvalid: (): RevealKeyState => ({ status: "invalid" }) },
);

// Order page > Credential card > Rotate, when the plan lets buyers rotate their own keys (the rule
// lives in lib/keys; the page offers the button by the same rule).
export const rotateKeyAction = buyerAction(
  rotateKeySchema,
  async ({ user, customerId, clientIp, input }): Promise<RotateKeyState> => {
    const db = getDb();
    const key = await requireApiKeyAccess(db, user, input.keyId);
    const rotated = await rotateOwnApiKey(db, {
      keyId: key.id,
      customerId,
      overlap: input.overlap,
      actor: { userId: user.id, ip: clientIp },
      keys: getSecretKeys(),
    });
    revalidatePath(`/orders/${key.orderId}`);
    return { status: "rotated", newKeyId: rotated.newKeyId };
  },
  {
    invalidMessage: "Choose how long the old key may keep working: none, 1 hour or 24 hours.",
    // KeyRotationError here means another request rotated the key first.
    describeError: (error) =>
      error instanceof SelfRotationRefusedError ? REFUSAL_MESSAGES[error.reason] : error instanceof KeyRotationError ? REPLACED_MESSAGE : undefined,
  },
);
