import "server-only";
import { recordAudit, type Actor } from "@/lib/audit";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import type { PrismaTypes } from "@/lib/db/types";
import { invalidateKey } from "@/lib/gateway/key-cache";
import { issueApiKey } from "./issue-api-key";

/** The longest a replaced key may keep working, so a client can switch over. */
export const MAX_ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export class KeyRotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyRotationError";
  }
}

/** "0", "30m", "1h", "24h" → milliseconds (at most 24 hours). */
export function parseOverlap(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(text);
  if (!match) throw new KeyRotationError(`The overlap must look like 0, 30m, 1h or 24h (got "${text}").`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "h") as "s" | "m" | "h"];
  const ms = Math.round(Number(match[1]) * unit);
  if (ms > MAX_ROTATION_OVERLAP_MS) throw new KeyRotationError("The overlap can be at most 24 hours.");
  return ms;
}

export interface RotatedKey {
  oldKeyId: string;
  newKeyId: string;
  lastFour: string;
  validUntil: Date;
  /** Only for "handout" delivery (the CLI prints it once); a "reveal" key is revealed in the portal. */
  key?: string;
}

export interface RotateApiKeyInput {
  keyId: string;
  /** The account the key must belong to (the buyer's own rotation); omitted by operators. */
  customerId?: string;
  overlapMs?: number;
  delivery: "reveal" | "handout";
  actor: Actor;
  /** Why, for the audit log (the console asks for one). */
  reason?: string | null;
  keys: SecretKeys;
  now?: Date;
}

/** What a rotation inside the caller's transaction did; the caller forgets `oldHmac` and `newHmac` once it commits. */
export interface RotationInTransaction extends RotatedKey {
  oldHmac: string;
  newHmac: string;
  orderId: string;
  oldLastFour: string;
}

/**
 * Replaces an ACTIVE key with a new one on the same order, carrying over its name, model scope,
 * spend limit, IP allowlist and expiry. The old key becomes REPLACED and keeps working until
 * `now + overlapMs` (0: refused at once); an unrevealed ciphertext of it is dropped. Audited, and
 * the gateway forgets the old key at once.
 */
export async function rotateApiKey(db: Prisma, input: RotateApiKeyInput): Promise<RotatedKey> {
  const result = await db.$transaction((tx) => rotateApiKeyInTransaction(tx, input));
  invalidateKey(result.oldHmac);
  invalidateKey(result.newHmac);
  return { oldKeyId: result.oldKeyId, newKeyId: result.newKeyId, lastFour: result.lastFour, validUntil: result.validUntil, key: result.key };
}

/**
 * The rotation of `rotateApiKey` inside a transaction the caller holds, for an act that must land
 * together with it (a leak report). The caller must call `invalidateKey` on `oldHmac` and `newHmac` after commit.
 */
export async function rotateApiKeyInTransaction(tx: PrismaTypes.TransactionClient, input: RotateApiKeyInput): Promise<RotationInTransaction> {
  const now = input.now ?? new Date();
  const overlapMs = input.overlapMs ?? 0;
  if (!Number.isFinite(overlapMs) || overlapMs < 0 || overlapMs > MAX_ROTATION_OVERLAP_MS)
    throw new KeyRotationError("The overlap must be between 0 and 24 hours.");
  const validUntil = new Date(now.getTime() + overlapMs);
  const old = await tx.apiKey.findFirst({
    where: { id: input.keyId, ...(input.customerId !== undefined ? { order: { customerId: input.customerId } } : {}) },
    select: {
      id: true,
      orderId: true,
      name: true,
      hmac: true,
      status: true,
      modelScope: true,
      spendLimitMicros: true,
      spendLimitPeriod: true,
      ipAllowlist: true,
      expiresAt: true,
      lastFour: true,
    },
  });
  if (!old) throw new KeyRotationError(`No API key with the id ${input.keyId}.`);
  if (old.status !== "ACTIVE") throw new KeyRotationError(`The key ${input.keyId} is ${old.status.toLowerCase()}; only an active key can be rotated.`);
  const issued = await issueApiKey(tx, { orderId: old.orderId, name: old.name, delivery: input.delivery, keys: input.keys, expiresAt: old.expiresAt, now });
  await tx.apiKey.update({
    where: { id: issued.id },
    data: { modelScope: old.modelScope, spendLimitMicros: old.spendLimitMicros, spendLimitPeriod: old.spendLimitPeriod, ipAllowlist: old.ipAllowlist },
  });
  // Guarded by status: of two rotations racing, one replaces the key and the other rolls back.
  const replaced = await tx.apiKey.updateMany({
    where: { id: old.id, status: "ACTIVE" },
    data: { status: "REPLACED", replacedAt: now, validUntil, replacedById: issued.id, revealCiphertext: null },
  });
  if (replaced.count === 0) throw new KeyRotationError(`The key ${input.keyId} was rotated by another request.`);
  await recordAudit(tx, {
    actor: input.actor,
    action: "api_key.rotated",
    targetType: "api_key",
    targetId: old.id,
    details: {
      orderId: old.orderId,
      oldLastFour: old.lastFour,
      newKeyId: issued.id,
      newLastFour: issued.lastFour,
      validUntil: validUntil.toISOString(),
      ...(input.reason?.trim() ? { reason: input.reason.trim().slice(0, 500) } : {}),
    },
  });
  if (input.delivery === "handout") {
    await recordAudit(tx, {
      actor: input.actor,
      action: "api_key.handed_out",
      targetType: "api_key",
      targetId: issued.id,
      details: { orderId: old.orderId, lastFour: issued.lastFour },
    });
  }
  return {
    oldHmac: old.hmac,
    newHmac: issued.hmac,
    orderId: old.orderId,
    oldLastFour: old.lastFour,
    oldKeyId: old.id,
    newKeyId: issued.id,
    lastFour: issued.lastFour,
    validUntil,
    key: input.delivery === "handout" ? issued.key : undefined,
  };
}
