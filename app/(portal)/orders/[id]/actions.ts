"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { buyerAction, type ActionState } from "@/lib/actions";
import { formOptionalText } from "@/lib/actions/form-fields";
import { requireApiKeyAccess, requireOrderAccess } from "@/lib/auth";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import {
  createOwnApiKey,
  KeyCreationRefusedError,
  KeyRotationError,
  MAX_KEY_NAME_LENGTH,
  revealApiKey,
  rotateOwnApiKey,
  selfRotationOverlapSchema,
  SelfRotationRefusedError,
  type KeyCreationRefusal,
  type SelfRotationRefusal,
} from "@/lib/keys";

export type RevealKeyState =
  | { status: "revealed"; key: string }
  | { status: "already_revealed" }
  | { status: "not_revealable" }
  | { status: "invalid" }
  | { status: "error"; message: string };

export type RotateKeyState = ActionState<{ status: "rotated"; newKeyId: string }>;
export type CreateKeyState = ActionState<{ status: "created"; keyId: string; message: string }>;

const keyIdSchema = z.string().min(1).max(100);
const revealKeySchema = z.object({ keyId: keyIdSchema });
const rotateKeySchema = z.object({ keyId: keyIdSchema, overlap: selfRotationOverlapSchema.default("none") });
const createKeySchema = z.object({ orderId: keyIdSchema, name: formOptionalText(MAX_KEY_NAME_LENGTH) });

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

const CREATE_REFUSALS: Record<KeyCreationRefusal, string> = {
  no_such_order: "This order was not found.",
  order_not_active: "Keys can be added only while the order's access window is open.",
  key_limit_reached: "This order already has as many keys as its plan allows. Delete one with support's help, or use an existing key.",
};

// Order page > Create another key, while the order has fewer live keys than its plan allows. The
// new key is revealed once on its own card, the same way as the first (revealKeyAction).
export const createKeyAction = buyerAction(
  createKeySchema,
  async ({ user, customerId, clientIp, input }): Promise<CreateKeyState> => {
    const db = getDb();
    // A 404 for an order outside the buyer's account; the creation is scoped by account again.
    const order = await requireOrderAccess(db, user, input.orderId);
    const created = await createOwnApiKey(db, {
      orderId: order.id,
      customerId,
      name: input.name,
      actor: { userId: user.id, ip: clientIp },
      keys: getSecretKeys(),
    });
    revalidatePath(`/orders/${order.id}`);
    return { status: "created", keyId: created.id, message: `${created.name} was created. Reveal it on its card above and copy it: it is shown once.` };
  },
  {
    invalidMessage: `Give the key a name of at most ${MAX_KEY_NAME_LENGTH} characters, or leave it empty.`,
    describeError: (error) => (error instanceof KeyCreationRefusedError ? CREATE_REFUSALS[error.reason] : undefined),
  },
);
