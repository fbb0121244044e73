import type { Protocol } from "./types";

/**
 * The API key a client sent, as sent (the diagnosis decides whether it is well formed):
 * `Authorization: Bearer …` or `x-api-key` on every route, `x-goog-api-key` and `?key=` on Gemini
 * routes only (a key in a URL ends up in logs and proxies; only Gemini clients need it).
 */
export function extractCredential(headers: Headers, url: URL, protocol: Protocol): string | null {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const match = /^\s*bearer\s+(.*)$/is.exec(authorization);
    // A bare token without the scheme is a common mistake; diagnose the value rather than refuse blindly.
    return match ? (match[1] ?? "") : authorization;
  }
  const apiKey = headers.get("x-api-key");
  if (apiKey !== null) return apiKey;
  if (protocol === "gemini") return headers.get("x-goog-api-key") ?? url.searchParams.get("key");
  return null;
}
