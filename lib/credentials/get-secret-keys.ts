import "server-only";
import { getSecrets } from "@/lib/config";
import { deriveSecretKeys, type SecretKeys } from "./derive-secret-keys";

const KEYS = Symbol.for("gatehouse.secretKeys");
type WithKeys = typeof globalThis & { [KEYS]?: { secret: string; keys: SecretKeys } };

/** The pepper and encryption keys of this process, derived once from GATEHOUSE_SECRET. */
export function getSecretKeys(): SecretKeys {
  const g = globalThis as WithKeys;
  const secret = getSecrets().gatehouseSecret;
  if (g[KEYS]?.secret !== secret) g[KEYS] = { secret, keys: deriveSecretKeys(secret) };
  return g[KEYS].keys;
}
