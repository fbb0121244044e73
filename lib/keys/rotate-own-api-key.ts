import "server-only";
import type { Actor } from "@/lib/audit";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { orderStatus } from "@/lib/time/order-status";
import { KeyRotationError, rotateApiKey, type RotatedKey } from "./rotate-api-key";
import { SELF_ROTATION_OVERLAPS, selfRotationRefusal, type SelfRotationOverlap, type SelfRotationRefusal } from "./self-rotation-rule";

/** The self-rotation rule said no; `reason` says which part. */
export class SelfRotationRefusedError extends Error {
  constructor(readonly reason: SelfRotationRefusal) {
    super(`Self-rotation refused: ${reason}.`);
    this.name = "SelfRotationRefusedError";
  }
}

/**
 * A buyer rotates a key of their own account. The key is looked up within `customerId` (another
 * account's key is "no such key"), the self-rotation rule is applied, and the rotation itself is
 * scoped to the account again, so nothing between the check and the write can widen it.
 * Throws SelfRotationRefusedError or KeyRotationError (unknown key, or a rotation that lost a race).
 */
export async function rotateOwnApiKey(
  db: Prisma,
  input: { keyId: string; customerId: string; overlap: SelfRotationOverlap; actor: Actor; keys: SecretKeys; now?: Date },
): Promise<RotatedKey> {
  const now = input.now ?? new Date();
  const key = await db.apiKey.findFirst({
    where: { id: input.keyId, order: { customerId: input.customerId } },
    select: { status: true, expiresAt: true, order: { select: { state: true, accessStart: true, accessEnd: true, plan: { select: { selfRotate: true } } } } },
  });
  if (!key) throw new KeyRotationError(`No API key with the id ${input.keyId}.`);
  const refusal = selfRotationRefusal({ planSelfRotate: key.order.plan.selfRotate, orderStatus: orderStatus(key.order, now), key, now });
  if (refusal) throw new SelfRotationRefusedError(refusal);
  return rotateApiKey(db, {
    keyId: input.keyId,
    customerId: input.customerId,
    overlapMs: SELF_ROTATION_OVERLAPS[input.overlap],
    delivery: "reveal",
    actor: input.actor,
    keys: input.keys,
    now,
  });
}
