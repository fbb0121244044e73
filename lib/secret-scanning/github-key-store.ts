import "server-only";
import { getConfig } from "@/lib/config";
import { processSingleton } from "@/lib/server/process-singleton";
import { createPublicKeyStore, type PublicKeyStore } from "./public-keys";

const STORE = processSingleton<{ current?: { url: string; store: PublicKeyStore } }>("secretScanning.githubKeys", () => ({}));

/** The process's cache of GitHub's secret-scanning keys, from SECRET_SCANNING_KEYS_URL. */
export function getGithubKeyStore(): PublicKeyStore {
  const url = getConfig().secretScanning.keysUrl;
  if (STORE.current?.url !== url) STORE.current = { url, store: createPublicKeyStore({ url }) };
  return STORE.current.store;
}
