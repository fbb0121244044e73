import "server-only";
import { crc32 } from "node:zlib";
import { encodeBase62 } from "./base62";

// The key format of DESIGN.md ("Keys"). Changing anything here invalidates every key ever issued.
export const API_KEY_PREFIX = "sk-gate-";
export const API_KEY_BODY_LENGTH = 43;
export const API_KEY_CHECKSUM_LENGTH = 6;
export const API_KEY_LENGTH = API_KEY_PREFIX.length + API_KEY_BODY_LENGTH + API_KEY_CHECKSUM_LENGTH;
export const API_KEY_RANDOM_BYTES = 32;

/**
 * A Gatehouse key anywhere in a text, for secret scanners and log redaction. Not global: build
 * `new RegExp(API_KEY_REGEX.source, "g")` to find every occurrence.
 */
export const API_KEY_REGEX = /sk-gate-[0-9A-Za-z]{49}/;

// The body of 32 × ff. A body above it can pass the checksum only if crafted, never if issued;
// refusing it keeps exactly one textual form per key.
export const MAX_API_KEY_BODY = encodeBase62((1n << 256n) - 1n, API_KEY_BODY_LENGTH);

/** CRC-32 (zlib's) of the body's ASCII, as 6 base62 digits. Callers pass ASCII bodies only (their UTF-8 is their ASCII). */
export function apiKeyChecksum(body: string): string {
  return encodeBase62(crc32(body), API_KEY_CHECKSUM_LENGTH);
}

/** The key for 32 given bytes: prefix, the bytes as one big-endian base62 number, checksum. */
export function formatApiKey(bytes: Uint8Array): string {
  if (bytes.length !== API_KEY_RANDOM_BYTES) {
    throw new RangeError(`an API key is made from exactly ${API_KEY_RANDOM_BYTES} bytes`);
  }
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const body = encodeBase62(value, API_KEY_BODY_LENGTH);
  return API_KEY_PREFIX + body + apiKeyChecksum(body);
}
