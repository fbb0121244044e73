import "server-only";
import { recordAudit, type Actor } from "@/lib/audit";
import { decryptSecret, type SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";

export type RevealResult = { status: "revealed"; key: string; lastFour: string } | { status: "already_revealed" } | { status: "not_revealable" };

/**
 * The one reveal of a key. A single UPDATE … RETURNING reads and clears the ciphertext, so of two
 * simultaneous reveals exactly one gets the key and the other finds nothing left ("already
 * revealed"). Only an ACTIVE key is revealable, and only by its own account: `customerId` is part
 * of the UPDATE itself, so a key of another account is simply not found. The plaintext goes to
 * that one response only.
 */
export async function revealApiKey(
  db: Prisma,
  input: { keyId: string; customerId: string; actor: Actor; keys: SecretKeys; now?: Date },
): Promise<RevealResult> {
  const now = input.now ?? new Date();
  // Prisma stores DateTime as UTC in "timestamp without time zone"; say so explicitly, so the
  // server's session time zone cannot shift the stored instant.
  const at = now.toISOString();
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ revealCiphertext: string; hmac: string; lastFour: string; orderId: string }[]>`
      UPDATE "api_keys" AS k
         SET "revealCiphertext" = NULL,
             "revealedAt" = (${at}::timestamptz AT TIME ZONE 'UTC'),
             "updatedAt" = (${at}::timestamptz AT TIME ZONE 'UTC')
        FROM (SELECT "id", "revealCiphertext" FROM "api_keys" WHERE "id" = ${input.keyId} FOR UPDATE) AS old
       WHERE k."id" = old."id" AND old."revealCiphertext" IS NOT NULL AND k."status" = 'ACTIVE'
         AND k."orderId" IN (SELECT "id" FROM "orders" WHERE "customerId" = ${input.customerId})
   RETURNING old."revealCiphertext" AS "revealCiphertext", k."hmac", k."lastFour", k."orderId"`;
    const row = rows[0];
    if (!row) {
      const key = await tx.apiKey.findFirst({ where: { id: input.keyId, order: { customerId: input.customerId } }, select: { revealedAt: true } });
      return key?.revealedAt ? { status: "already_revealed" as const } : { status: "not_revealable" as const };
    }
    // Bound to this key's HMAC: a ciphertext copied onto another row does not decrypt.
    const key = decryptSecret(row.revealCiphertext, input.keys.revealKey, row.hmac);
    await recordAudit(tx, {
      actor: input.actor,
      action: "api_key.revealed",
      targetType: "api_key",
      targetId: input.keyId,
      details: { orderId: row.orderId, lastFour: row.lastFour },
    });
    return { status: "revealed" as const, key, lastFour: row.lastFour };
  });
}
