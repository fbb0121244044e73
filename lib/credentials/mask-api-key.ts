import "server-only";
import { API_KEY_PREFIX } from "./api-key-format";

const LAST_FOUR = /^[0-9A-Za-z]{4}$/;

/** The last four characters, stored beside the HMAC so the card can show the mask for ever. */
export function keyLastFour(key: string): string {
  const lastFour = key.slice(-4);
  if (!LAST_FOUR.test(lastFour)) throw new TypeError("keyLastFour expects a Gatehouse API key");
  return lastFour;
}

/** The display form from stored last four characters: `sk-gate-…AbCd`. */
export function formatKeyMask(lastFour: string): string {
  if (!LAST_FOUR.test(lastFour)) throw new TypeError("a key mask needs four letters or digits");
  return `${API_KEY_PREFIX}\u2026${lastFour}`;
}

/** The display form of a full key. The ellipsis is one character, so the mask can never be used as a key. */
export function maskApiKey(key: string): string {
  if (!key.startsWith(API_KEY_PREFIX)) throw new TypeError("maskApiKey expects a Gatehouse API key");
  return formatKeyMask(keyLastFour(key));
}
