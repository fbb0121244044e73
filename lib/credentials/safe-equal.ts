import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Constant-time string comparison for secrets (webhook signatures, tokens). Both sides are hashed
 * first so the compared buffers always have the same length: neither where the strings differ nor
 * how long the expected one is shows in the timing.
 */
export function safeEqual(a: string, b: string): boolean {
  const digestA = createHash("sha256").update(a, "utf8").digest();
  const digestB = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(digestA, digestB);
}
