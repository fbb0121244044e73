import "server-only";
import { hkdfSync } from "node:crypto";

/** Shorter secrets are refused: every key below is only as strong as GATEHOUSE_SECRET. */
export const MIN_SECRET_LENGTH = 32;

const SALT = "gatehouse";
// Distinct labels give independent keys from one secret. Changing a label orphans what it
// protects (every stored key HMAC, every reveal ciphertext, every channel key), so never edit one.
const LABELS = {
  keyPepper: "gatehouse/v1/api-key-lookup-pepper",
  revealKey: "gatehouse/v1/api-key-reveal-encryption",
  channelKey: "gatehouse/v1/upstream-channel-key-encryption",
} as const;

export interface SecretKeys {
  /** HMAC key for hmacLookup. */
  readonly keyPepper: Buffer;
  /** AES-256-GCM key for a new API key's one-time reveal ciphertext. */
  readonly revealKey: Buffer;
  /** AES-256-GCM key for upstream channel API keys at rest. */
  readonly channelKey: Buffer;
}

function derive(secret: string, label: string): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), SALT, label, 32));
}

/** The server's 256-bit keys, derived with HKDF-SHA256 from GATEHOUSE_SECRET. */
export function deriveSecretKeys(secret: string): SecretKeys {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new RangeError(`GATEHOUSE_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return {
    keyPepper: derive(secret, LABELS.keyPepper),
    revealKey: derive(secret, LABELS.revealKey),
    channelKey: derive(secret, LABELS.channelKey),
  };
}
