import "server-only";
import { createHmac } from "node:crypto";

const MIN_PEPPER_BYTES = 32;

/**
 * HMAC-SHA256 of the whole key under the server pepper, as hex: the only form of a key the
 * database holds for lookup. Without the pepper a leaked table cannot be checked against guesses.
 */
export function hmacLookup(key: string, pepper: Buffer): string {
  if (pepper.length < MIN_PEPPER_BYTES) {
    throw new RangeError(`the key pepper must be at least ${MIN_PEPPER_BYTES} bytes`);
  }
  return createHmac("sha256", pepper).update(key, "utf8").digest("hex");
}
