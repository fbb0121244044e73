import "server-only";
import { createPublicKey, type KeyObject } from "node:crypto";
import { z } from "zod";
import { logger } from "@/lib/server/logger";

// The public keys GitHub signs its secret-scanning reports with, as it publishes them
// (https://api.github.com/meta/public_keys/secret_scanning):
// `{ "public_keys": [{ "key_identifier": "…", "key": "-----BEGIN PUBLIC KEY-----…", "is_current": true }] }`.
// Fetched on first use, kept for a while, fetched again when a report names a key id we do not
// know (GitHub rotating its key) — but at most once per `minRefetchIntervalMs`, so reports with
// made-up key ids cannot make us hammer the URL.

const MAX_DOCUMENT_BYTES = 256 * 1024;

const publicKeysSchema = z.object({
  public_keys: z
    .array(
      z.object({
        key_identifier: z.string().min(1).max(256),
        key: z.string().min(1).max(16_384),
        is_current: z.boolean().optional(),
      }),
    )
    .max(100),
});

/** The keys could not be fetched and none are known yet: the report cannot be checked now. */
export class PublicKeysUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PublicKeysUnavailableError";
  }
}

export interface PublicKeyStore {
  /** The key with this identifier, or null when GitHub does not publish one by that id. */
  find(keyId: string): Promise<KeyObject | null>;
}

export interface PublicKeyStoreOptions {
  url: string;
  /** How long fetched keys are trusted before they are fetched again. Default 1 hour. */
  ttlMs?: number;
  /** The shortest time between two fetches, whatever asks for them. Default 60 s. */
  minRefetchIntervalMs?: number;
  /** Give up on one fetch after this long. Default 5 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

const log = logger.child({ component: "secret-scanning" });

/** Only ECDSA keys on P-256 verify GitHub's signatures; anything else in the document is skipped. */
function parseKey(pem: string): KeyObject | null {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1" ? key : null;
  } catch {
    return null;
  }
}

export function createPublicKeyStore(options: PublicKeyStoreOptions): PublicKeyStore {
  const ttlMs = options.ttlMs ?? 60 * 60 * 1000;
  const minRefetchIntervalMs = options.minRefetchIntervalMs ?? 60 * 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  let keys: Map<string, KeyObject> | null = null;
  let fetchedAt = 0;
  let lastAttemptAt = -Infinity;
  let inflight: Promise<void> | null = null;

  async function load(): Promise<void> {
    lastAttemptAt = now();
    const response = await doFetch(options.url, { headers: { accept: "application/json" }, redirect: "error", signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`the keys URL answered ${response.status}`);
    const text = await response.text();
    if (Buffer.byteLength(text, "utf8") > MAX_DOCUMENT_BYTES) throw new Error("the keys document is too large");
    const parsed = publicKeysSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error("the keys document is not of the published shape");
    const next = new Map<string, KeyObject>();
    for (const entry of parsed.data.public_keys) {
      const key = parseKey(entry.key);
      if (key) next.set(entry.key_identifier, key);
      else log.warn({ keyId: entry.key_identifier }, "skipped a published key that is not an ECDSA P-256 public key");
    }
    keys = next;
    fetchedAt = now();
  }

  /** One fetch at a time; callers that arrive meanwhile wait for it. Never throws. */
  async function refresh(): Promise<void> {
    inflight ??= load()
      .catch((err: unknown) => {
        log.warn({ err: err instanceof Error ? err.message : String(err), url: options.url }, "could not fetch the secret-scanning public keys");
      })
      .finally(() => {
        inflight = null;
      });
    await inflight;
  }

  const mayFetch = () => now() - lastAttemptAt >= minRefetchIntervalMs;

  return {
    async find(keyId) {
      if (inflight) await inflight;
      if ((keys === null || now() - fetchedAt >= ttlMs) && mayFetch()) await refresh();
      if (keys === null) throw new PublicKeysUnavailableError("The secret-scanning public keys could not be fetched.");
      const known = keys.get(keyId);
      if (known) return known;
      if (!mayFetch()) return null;
      await refresh();
      return keys.get(keyId) ?? null;
    },
  };
}
