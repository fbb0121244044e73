import "server-only";
import { API_KEY_REGEX, diagnoseApiKey, hmacLookup, type SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import type { ApiKeyStatus } from "@/lib/db/types";

/**
 * What may be said about a string someone found: whether it has our key format, whether its
 * checksum holds, and — only then — whether we issued it and its status. Never the key, the
 * account or the buyer.
 */
export interface KeyCheck {
  /** `sk-gate-` and 49 letters and digits: the format of our keys. */
  ours: boolean;
  checksumOk: boolean;
  /** Null when the checksum fails or no key of ours has this value. */
  key: {
    id: string;
    status: ApiKeyStatus;
    /** A replaced key's end of overlap: it still works until then. */
    validUntil: Date | null;
    lastFour: string;
    orderId: string;
    /** Whether a scanner reported it as leaked already. */
    reportedLeaked: boolean;
  } | null;
}

const WHOLE_KEY = new RegExp(`^${API_KEY_REGEX.source}$`);

/** Checks a candidate key: format and checksum without a database read, then the lookup by HMAC. */
export async function checkKey(db: Prisma, candidate: string, keys: SecretKeys): Promise<KeyCheck> {
  const ours = WHOLE_KEY.test(candidate);
  const diagnosis = diagnoseApiKey(candidate);
  if (!ours || !diagnosis.ok) return { ours, checksumOk: false, key: null };
  const row = await db.apiKey.findUnique({
    where: { hmac: hmacLookup(diagnosis.key, keys.keyPepper) },
    select: { id: true, status: true, validUntil: true, lastFour: true, orderId: true, leakReport: { select: { id: true } } },
  });
  if (!row) return { ours, checksumOk: true, key: null };
  return {
    ours,
    checksumOk: true,
    key: { id: row.id, status: row.status, validUntil: row.validUntil, lastFour: row.lastFour, orderId: row.orderId, reportedLeaked: row.leakReport !== null },
  };
}
