import type { RateLimitDecision } from "@/lib/limits";
import type { Protocol } from "./types";

// The rate-limit headers of each protocol the gateway speaks. The limiter (lib/limits) decides;
// how a decision is written on the wire is protocol code, like the error renderings.

/**
 * A duration as OpenAI writes it in `x-ratelimit-reset-*` (Go's notation): `0s`, `250ms`, `1s`,
 * `59.5s`, `6m0s`, `1h0m0s`. Rounded up to the millisecond so a client never retries early.
 */
export function formatResetDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total === 0) return "0s";
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const whole = Math.floor(millis / 1000);
  const fraction =
    millis % 1000 === 0
      ? ""
      : `.${String(millis % 1000)
          .padStart(3, "0")
          .replace(/0+$/, "")}`;
  return `${hours > 0 ? `${hours}h` : ""}${hours > 0 || minutes > 0 ? `${minutes}m` : ""}${whole}${fraction}s`;
}

/** An instant as Anthropic writes it in `anthropic-ratelimit-*-reset`: RFC 3339, whole seconds (rounded up), UTC. */
export function formatResetInstant(at: Date, afterMs: number): string {
  const ms = Math.ceil((at.getTime() + Math.max(0, afterMs)) / 1000) * 1000;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The rate-limit headers of the client's protocol, for successes and 429s alike (the 429's
 * `Retry-After` comes from the error, see GatewayError's `retryAfterSeconds`).
 *
 * - OpenAI: `x-ratelimit-limit|remaining|reset-requests`, and the `-tokens` trio when the key has
 *   a tpm; resets as durations (`formatResetDuration`).
 * - Anthropic: `anthropic-ratelimit-requests-limit|remaining|reset`, and `anthropic-ratelimit-
 *   tokens-…` when the key has a tpm; resets as RFC 3339 instants. (Anthropic's separate
 *   input/output token limits are not modelled: our tpm counts both.)
 * - Gemini: none. Google's API sends no rate-limit headers; its 429 carries `RetryInfo` in the
 *   body, which the error renderer adds, and the `Retry-After` header.
 */
export function rateLimitHeaders(decision: RateLimitDecision, protocol: Protocol): Record<string, string> {
  const headers: Record<string, string> = {};
  const requestsMs = decision.resetRequestsSeconds * 1000;
  const tokensMs = (decision.resetTokensSeconds ?? 0) * 1000;
  const hasTokens = decision.limitTokens !== undefined && decision.remainingTokens !== undefined;
  if (protocol === "openai") {
    headers["x-ratelimit-limit-requests"] = String(decision.limitRequests);
    headers["x-ratelimit-remaining-requests"] = String(decision.remainingRequests);
    headers["x-ratelimit-reset-requests"] = formatResetDuration(requestsMs);
    if (hasTokens) {
      headers["x-ratelimit-limit-tokens"] = String(decision.limitTokens);
      headers["x-ratelimit-remaining-tokens"] = String(decision.remainingTokens);
      headers["x-ratelimit-reset-tokens"] = formatResetDuration(tokensMs);
    }
  } else if (protocol === "anthropic") {
    headers["anthropic-ratelimit-requests-limit"] = String(decision.limitRequests);
    headers["anthropic-ratelimit-requests-remaining"] = String(decision.remainingRequests);
    headers["anthropic-ratelimit-requests-reset"] = formatResetInstant(decision.at, requestsMs);
    if (hasTokens) {
      headers["anthropic-ratelimit-tokens-limit"] = String(decision.limitTokens);
      headers["anthropic-ratelimit-tokens-remaining"] = String(decision.remainingTokens);
      headers["anthropic-ratelimit-tokens-reset"] = formatResetInstant(decision.at, tokensMs);
    }
  }
  return headers;
}
