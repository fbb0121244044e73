import "server-only";

// Digits, then upper case, then lower case: the same order as ASCII, so two base62 strings of equal
// width compare as strings exactly as their values compare as numbers.
export const BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * `value` in base62, left-padded with "0" to `width`. Throws if it needs more digits than that.
 * A safe integer is encoded as a number (a key's checksum, on every new credential the gateway
 * sees), anything larger as a bigint (a key's body).
 */
export function encodeBase62(value: bigint | number, width: number): string {
  if (value < 0) throw new RangeError("base62 encodes non-negative integers only");
  let digits = "";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError("base62 encodes integers only (a bigint above 2^53)");
    for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) digits = BASE62_ALPHABET.charAt(rest % 62) + digits;
  } else {
    for (let rest = value; rest > 0n; rest /= 62n) digits = BASE62_ALPHABET.charAt(Number(rest % 62n)) + digits;
  }
  if (digits.length > width) throw new RangeError(`value needs more than ${width} base62 digits`);
  return digits.padStart(width, "0");
}
