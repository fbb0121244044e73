import "server-only";
import { verify } from "node:crypto";
import type { PublicKeyStore } from "./public-keys";

export type GithubSignatureProblem = "missing_signature" | "malformed_signature" | "invalid_signature";

export type GithubSignatureCheck = { ok: true } | { ok: false; problem: GithubSignatureProblem };

// GitHub sends the id of the key it signed with and an ECDSA (P-256, SHA-256) signature of the raw
// body, DER-encoded, in base64.
const KEY_ID = /^[A-Za-z0-9._:+/=-]{1,256}$/;
const BASE64 = /^[A-Za-z0-9+/]{8,400}={0,2}$/;

/**
 * Checks `Github-Public-Key-Identifier` and `Github-Public-Key-Signature` against the raw body
 * bytes. An unknown key id is a bad signature (after the store looked for a newly published key).
 * Throws PublicKeysUnavailableError when no keys could be fetched at all.
 */
export async function verifyGithubSignature(
  rawBody: Uint8Array,
  keyId: string | null | undefined,
  signature: string | null | undefined,
  store: PublicKeyStore,
): Promise<GithubSignatureCheck> {
  const id = keyId?.trim() ?? "";
  const sig = signature?.trim() ?? "";
  if (id === "" || sig === "") return { ok: false, problem: "missing_signature" };
  if (!KEY_ID.test(id) || !BASE64.test(sig)) return { ok: false, problem: "malformed_signature" };
  const key = await store.find(id);
  if (!key) return { ok: false, problem: "invalid_signature" };
  try {
    const valid = verify("sha256", rawBody, { key, dsaEncoding: "der" }, Buffer.from(sig, "base64"));
    return valid ? { ok: true } : { ok: false, problem: "invalid_signature" };
  } catch {
    // A signature that is not DER at all.
    return { ok: false, problem: "invalid_signature" };
  }
}
