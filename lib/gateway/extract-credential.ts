import type { Protocol } from "./types";

/**
 * The API key a client sent, as sent (the diagnosis decides whether it is well formed):
 * `Authorization: Bearer …` or `x-api-key` on every route, `x-goog-api-key` and `?key=` on Gemini
 * routes only (a key in a URL ends up in logs and proxies; only Gemini clients need it).
 */
export function extractCredential(headers: Headers, url: URL | null, protocol: Protocol): string | null {
  const value = rawCredential(headers, url, protocol);
  return value === null ? null : utf8HeaderValue(value);
}

/**
 * HTTP header values arrive as Latin-1: a pasted "sk-gate-…abcd" shows up as "sk-gate-â€¦abcd".
 * Reading the bytes as UTF-8 again lets the diagnosis say "masked preview" rather than
 * "invisible characters". Values that are not valid UTF-8 are left as they came.
 */
function utf8HeaderValue(value: string): string {
  if (!/[\u0080-\u00ff]/.test(value) || /[^\u0000-\u00ff]/.test(value)) return value;
  const decoded = Buffer.from(value, "latin1").toString("utf8");
  return decoded.includes("\ufffd") ? value : decoded;
}

function rawCredential(headers: Headers, url: URL | null, protocol: Protocol): string | null {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    // "Bearer " with nothing after it (an empty environment variable) reaches us as "Bearer":
    // header values are trimmed on the way. That is no credential, not a malformed one.
    const match = /^\s*bearer(?:\s+(.*))?$/is.exec(authorization);
    // A bare token without the scheme is a common mistake; diagnose the value rather than refuse blindly.
    return match ? (match[1] ?? "") : authorization;
  }
  const apiKey = headers.get("x-api-key");
  if (apiKey !== null) return apiKey;
  if (protocol === "gemini") return headers.get("x-goog-api-key") ?? url?.searchParams.get("key") ?? null;
  return null;
}
