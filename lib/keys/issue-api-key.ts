import "server-only";
import type { PrismaTypes } from "@/lib/db/types";
import { API_KEY_PREFIX, encryptSecret, generateApiKey, hmacLookup, keyLastFour, type SecretKeys } from "@/lib/credentials";

type KeyWriter = { apiKey: { create(args: { data: PrismaTypes.ApiKeyUncheckedCreateInput; select: { id: true } }): Promise<{ id: string }> } };

export interface IssuedApiKey {
  id: string;
  /** The plaintext key. Hand it to exactly one place (a reveal response or the CLI's output). */
  key: string;
  lastFour: string;
  /** Its lookup HMAC: once the transaction commits, `invalidateKey(hmac)` (see issueApiKey). */
  hmac: string;
}

/**
 * Creates an API key for an order. The key itself is never stored: only its HMAC (for lookup)
 * and, when `delivery` is "reveal", an AES-GCM ciphertext that the buyer's single reveal clears.
 * A key delivered by "handout" (printed by the CLI) has no ciphertext: it can never be shown again.
 *
 * The caller calls `invalidateKey(hmac)` once its transaction commits: an instance that was sent
 * this key before it existed remembers it as unknown (key-cache.ts) until told otherwise.
 */
export async function issueApiKey(
  db: KeyWriter,
  input: { orderId: string; name?: string; delivery: "reveal" | "handout"; keys: SecretKeys; expiresAt?: Date | null; now?: Date },
): Promise<IssuedApiKey> {
  const key = generateApiKey();
  const hmac = hmacLookup(key, input.keys.keyPepper);
  const lastFour = keyLastFour(key);
  const created = await db.apiKey.create({
    data: {
      orderId: input.orderId,
      name: input.name ?? "Default key",
      prefix: API_KEY_PREFIX,
      lastFour,
      hmac,
      expiresAt: input.expiresAt ?? null,
      // Bound to this key's HMAC so a ciphertext cannot be moved to another key's row.
      revealCiphertext: input.delivery === "reveal" ? encryptSecret(key, input.keys.revealKey, hmac) : null,
      handedOutAt: input.delivery === "handout" ? (input.now ?? new Date()) : null,
    },
    select: { id: true },
  });
  return { id: created.id, key, lastFour, hmac };
}
