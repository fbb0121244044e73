import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";
const ALGORITHM = "aes-256-gcm";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Associated data of an upstream channel's API key: a ciphertext copied into another column or
 * table does not decrypt there.
 */
export const CHANNEL_KEY_AAD = "upstream_channel.api_key";

export type SecretDecryptionFailure = "malformed" | "unsupported_version" | "authentication_failed";

/** Decryption failed. Carries no part of the ciphertext or plaintext, so it is safe to log. */
export class SecretDecryptionError extends Error {
  readonly reason: SecretDecryptionFailure;

  constructor(reason: SecretDecryptionFailure) {
    super(
      reason === "authentication_failed"
        ? "secret could not be decrypted: wrong key, wrong associated data, or altered ciphertext"
        : `secret could not be decrypted: ${reason === "malformed" ? "malformed ciphertext" : "unsupported format version"}`,
    );
    this.name = "SecretDecryptionError";
    this.reason = reason;
  }
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new RangeError(`the encryption key must be ${KEY_BYTES} bytes`);
}

// The version is authenticated too, so a future format cannot be fed to this one's reader.
// "No associated data" and "empty associated data" are kept distinct.
function additionalData(associatedData: string | undefined): Buffer {
  return Buffer.from(associatedData === undefined ? VERSION : `${VERSION}:${associatedData}`, "utf8");
}

/**
 * AES-256-GCM with a fresh random 96-bit IV, encoded as `v1.<iv>.<tag>.<ciphertext>` (base64url).
 * `associatedData` binds the ciphertext to its owner (e.g. the API key row id): decryption under
 * any other value fails, so a ciphertext copied onto another row is useless.
 */
export function encryptSecret(plaintext: string, key: Buffer, associatedData?: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(associatedData));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(".");
}

/** Reverses encryptSecret; throws SecretDecryptionError unless key and associated data both match. */
export function decryptSecret(encoded: string, key: Buffer, associatedData?: string): string {
  assertKey(key);
  const parts = encoded.split(".");
  if (parts.length !== 4) throw new SecretDecryptionError("malformed");
  const [version, ivText, tagText, ciphertextText] = parts as [string, string, string, string];
  if (version !== VERSION) throw new SecretDecryptionError("unsupported_version");
  // Node's base64url decoder skips characters it does not know; refuse them instead.
  if (![ivText, tagText, ciphertextText].every((part) => BASE64URL.test(part))) {
    throw new SecretDecryptionError("malformed");
  }
  const iv = Buffer.from(ivText, "base64url");
  const tag = Buffer.from(tagText, "base64url");
  // A fixed tag length: GCM would otherwise accept a truncated tag, which is easier to forge.
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError("malformed");

  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  decipher.setAAD(additionalData(associatedData));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertextText, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError("authentication_failed");
  }
}
