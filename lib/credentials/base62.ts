import "server-only";

// Digits, then upper case, then lower case: the same order as ASCII, so two base62 strings of equal
// width compare as strings exactly as their values compare as numbers.
export const BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `value` in base62, left-padded with "0" to `width`. Throws if it needs more digits than that. */
export function encodeBase62(value: bigint, width: number): string {
  if (value < 0n) throw new RangeError("base62 encodes non-negative integers only");
  let digits = "";
  let rest = value;
  while (rest > 0n) {
    digits = BASE62_ALPHABET.charAt(Number(rest % 62n)) + digits;
    rest /= 62n;
  }
  if (digits.length > width) throw new RangeError(`value needs more than ${width} base62 digits`);
  return digits.padStart(width, "0");
}
