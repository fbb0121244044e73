import "server-only";
import { getSecrets } from "@/lib/config";
import { deriveSecretKeys, type SecretKeys } from "./derive-secret-keys";
import { processSingleton } from "@/lib/server/process-singleton";

const KEYS = processSingleton<{ current?: { secret: string; keys: SecretKeys } }>("secretKeys", () => ({}));

/** The pepper and encryption keys of this process, derived once from GATEHOUSE_SECRET. */
export function getSecretKeys(): SecretKeys {
  const secret = getSecrets().gatehouseSecret;
  if (KEYS.current?.secret !== secret) KEYS.current = { secret, keys: deriveSecretKeys(secret) };
  return KEYS.current.keys;
}
