import "server-only";
import { randomBytes } from "node:crypto";
import { API_KEY_RANDOM_BYTES, formatApiKey } from "./api-key-format";

/** A new key from the CSPRNG; `bytes` exists so tests and fixtures can pin the outcome. */
export function generateApiKey(bytes: Uint8Array = randomBytes(API_KEY_RANDOM_BYTES)): string {
  return formatApiKey(bytes);
}
