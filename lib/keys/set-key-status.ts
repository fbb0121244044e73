import "server-only";
import { recordAudit, type Actor } from "@/lib/audit";
import type { Prisma } from "@/lib/db";
import { invalidateKey } from "@/lib/gateway/key-cache";

// Operators' acts on one key besides rotation: disable, enable and (soft) delete. Each is guarded
// by the status it starts from (so two racing acts cannot both apply), audited in the same
// transaction, and reaches the gateway at once: the key cache forgets the key here and, through the
// cache bus, on every other instance. Disabled and deleted keys keep their HMAC, so the gateway's
// refusal stays precise ("disabled", or an unknown key once deleted) and the request log stays
// linked to them.

export class KeyStatusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyStatusError";
  }
}

const MAX_REASON = 500;

function cleanReason(reason: string | null | undefined, required: boolean): string | null {
  const text = (reason ?? "").trim().slice(0, MAX_REASON);
  if (required && !text) throw new KeyStatusError("Give a reason; it is kept in the audit log.");
  return text || null;
}

/** Disables an ACTIVE key (refused at once) or enables a DISABLED one again. A reason is required to disable. */
export async function setKeyEnabled(
  db: Prisma,
  input: { keyId: string; enabled: boolean; reason?: string | null; actor: Actor; now?: Date },
): Promise<{ keyId: string; status: "ACTIVE" | "DISABLED" }> {
  const now = input.now ?? new Date();
  const reason = cleanReason(input.reason, !input.enabled);
  const from = input.enabled ? "DISABLED" : "ACTIVE";
  const to = input.enabled ? "ACTIVE" : "DISABLED";
  const hmac = await db.$transaction(async (tx) => {
    const key = await tx.apiKey.findUnique({ where: { id: input.keyId }, select: { id: true, hmac: true, status: true, orderId: true, lastFour: true } });
    if (!key || key.status === "DELETED") throw new KeyStatusError(`No API key with the id ${input.keyId}.`);
    const changed = await tx.apiKey.updateMany({ where: { id: key.id, status: from }, data: { status: to, disabledAt: input.enabled ? null : now } });
    if (changed.count === 0) {
      throw new KeyStatusError(
        input.enabled ? `The key is ${key.status.toLowerCase()}, not disabled.` : `The key is ${key.status.toLowerCase()}; only an active key can be disabled.`,
      );
    }
    // Checked after the update, which waits for a leak report holding the key's row: a key found
    // in public never works again, even if it was disabled when it was reported.
    if (input.enabled && (await tx.leakedKeyReport.count({ where: { apiKeyId: key.id } })) > 0) {
      throw new KeyStatusError("This key was found in public (a secret scanner reported it) and cannot be enabled again; give the buyer a new key instead.");
    }
    await recordAudit(tx, {
      actor: input.actor,
      action: input.enabled ? "api_key.enabled" : "api_key.disabled",
      targetType: "api_key",
      targetId: key.id,
      details: { orderId: key.orderId, lastFour: key.lastFour, ...(reason ? { reason } : {}) },
    });
    return key.hmac;
  });
  invalidateKey(hmac);
  return { keyId: input.keyId, status: to };
}

/**
 * Deletes a key: its status becomes DELETED (a soft delete: the row, its HMAC and its request
 * history stay), an unrevealed ciphertext is dropped, and the gateway refuses it at once. The
 * caller must type the key's last four characters to confirm, and give a reason.
 */
export async function deleteApiKey(
  db: Prisma,
  input: { keyId: string; confirmLastFour: string; reason: string; actor: Actor; now?: Date },
): Promise<{ keyId: string }> {
  const now = input.now ?? new Date();
  const reason = cleanReason(input.reason, true);
  const hmac = await db.$transaction(async (tx) => {
    const key = await tx.apiKey.findUnique({ where: { id: input.keyId }, select: { id: true, hmac: true, status: true, orderId: true, lastFour: true } });
    if (!key || key.status === "DELETED") throw new KeyStatusError(`No API key with the id ${input.keyId}.`);
    if (input.confirmLastFour.trim() !== key.lastFour) throw new KeyStatusError("Type the key's last four characters exactly to confirm.");
    const changed = await tx.apiKey.updateMany({
      where: { id: key.id, status: { not: "DELETED" } },
      data: { status: "DELETED", deletedAt: now, revealCiphertext: null },
    });
    if (changed.count === 0) throw new KeyStatusError(`No API key with the id ${input.keyId}.`);
    await recordAudit(tx, {
      actor: input.actor,
      action: "api_key.deleted",
      targetType: "api_key",
      targetId: key.id,
      details: { orderId: key.orderId, lastFour: key.lastFour, previousStatus: key.status, reason },
    });
    return key.hmac;
  });
  invalidateKey(hmac);
  return { keyId: input.keyId };
}
