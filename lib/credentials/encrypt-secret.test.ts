import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretDecryptionError, decryptSecret, encryptSecret } from "./encrypt-secret";

const KEY = randomBytes(32);
const SECRET = "sk-gate-003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hP";

function failure(fn: () => unknown): SecretDecryptionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretDecryptionError);
    expect(String(error)).not.toContain(SECRET);
    return error as SecretDecryptionError;
  }
  throw new Error("expected decryption to fail");
}

// Flip one bit of a base64url part without producing an invalid character.
function tamper(encoded: string, partIndex: number): string {
  const parts = encoded.split(".");
  const bytes = Buffer.from(parts[partIndex]!, "base64url");
  bytes[0] = bytes[0]! ^ 0x01;
  parts[partIndex] = bytes.toString("base64url");
  return parts.join(".");
}

describe("encryptSecret / decryptSecret", () => {
  it("round-trips, with and without associated data, including empty and non-ASCII text", () => {
    for (const plaintext of [SECRET, "", "päss wörd ✓ 🔑"]) {
      expect(decryptSecret(encryptSecret(plaintext, KEY), KEY)).toBe(plaintext);
      expect(decryptSecret(encryptSecret(plaintext, KEY, "key_123"), KEY, "key_123")).toBe(plaintext);
    }
  });

  it("uses the versioned compact form with a fresh 12-byte IV each time", () => {
    const a = encryptSecret(SECRET, KEY);
    const b = encryptSecret(SECRET, KEY);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toContain(SECRET);
    expect(Buffer.from(a.split(".")[1]!, "base64url")).toHaveLength(12);
    expect(Buffer.from(a.split(".")[2]!, "base64url")).toHaveLength(16);
  });

  it("detects tampering with the IV, tag or ciphertext", () => {
    const encoded = encryptSecret(SECRET, KEY, "key_123");
    for (const part of [1, 2, 3]) {
      expect(failure(() => decryptSecret(tamper(encoded, part), KEY, "key_123")).reason).toBe("authentication_failed");
    }
  });

  it("fails under the wrong key", () => {
    const encoded = encryptSecret(SECRET, KEY);
    expect(failure(() => decryptSecret(encoded, randomBytes(32))).reason).toBe("authentication_failed");
  });

  it("binds the ciphertext to its associated data", () => {
    const encoded = encryptSecret(SECRET, KEY, "key_123");
    expect(failure(() => decryptSecret(encoded, KEY, "key_124")).reason).toBe("authentication_failed");
    expect(failure(() => decryptSecret(encoded, KEY)).reason).toBe("authentication_failed");
    const unbound = encryptSecret(SECRET, KEY);
    expect(failure(() => decryptSecret(unbound, KEY, "key_123")).reason).toBe("authentication_failed");
    expect(failure(() => decryptSecret(unbound, KEY, "")).reason).toBe("authentication_failed");
  });

  it("refuses malformed input and unknown versions", () => {
    const encoded = encryptSecret(SECRET, KEY);
    const [, iv, tag, ct] = encoded.split(".");
    expect(failure(() => decryptSecret("", KEY)).reason).toBe("malformed");
    expect(failure(() => decryptSecret(`v1.${iv}.${tag}`, KEY)).reason).toBe("malformed");
    expect(failure(() => decryptSecret(`v2.${iv}.${tag}.${ct}`, KEY)).reason).toBe("unsupported_version");
    expect(failure(() => decryptSecret(`v1.${iv}.${tag!.slice(0, 16)}.${ct}`, KEY)).reason).toBe("malformed");
    expect(failure(() => decryptSecret(`v1.${iv}.${tag}.${ct}!!`, KEY)).reason).toBe("malformed");
  });

  it("refuses keys that are not 256 bits", () => {
    expect(() => encryptSecret(SECRET, randomBytes(16))).toThrow(RangeError);
    expect(() => decryptSecret(encryptSecret(SECRET, KEY), randomBytes(31))).toThrow(RangeError);
  });
});
