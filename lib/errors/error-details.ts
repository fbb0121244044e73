import type { ErrorCode } from "./error-codes";

/** A point in time as callers hold it: a Date, an ISO string or epoch milliseconds. */
export type Instant = Date | string | number;

/** Why a key that reached the gateway was refused as `invalid_api_key`. */
export type InvalidApiKeyReason = "not_gatehouse_format" | "wrong_length" | "bad_characters" | "bad_checksum" | "unknown_key" | "deleted";

type NoDetails = Record<never, never>;

// Per-code facts a message may name. All optional: a message without them is still true, just less
// specific. Nothing here may hold the key itself.
export interface ErrorDetailsByCode {
  missing_api_key: NoDetails;
  api_key_whitespace: NoDetails;
  api_key_invisible_characters: NoDetails;
  api_key_masked_preview: NoDetails;
  api_key_other_provider: { provider?: string };
  invalid_api_key: { reason?: InvalidApiKeyReason };
  api_key_replaced: { replacedAt?: Instant };
  api_key_disabled: NoDetails;
  // The order window and a key's own optional expiry both end access; `scope` says which one did.
  access_expired: { endedAt?: Instant; scope?: "order" | "key" };
  access_not_started: { startsAt?: Instant };
  order_cancelled: { endedAt?: Instant; refunded?: boolean };
  ip_not_allowed: { clientIp?: string };
  model_not_allowed: { model?: string; allowedModels?: readonly string[] };
  model_not_found: { model?: string };
  // `period`: the limit's UTC period (default MONTH); `resetsAt`: its end; `spentMicros`: the
  // period's settled spend; `reservedMicros`: held for requests still running.
  api_key_quota_exceeded: {
    period?: "DAY" | "WEEK" | "MONTH";
    resetsAt?: Instant;
    limitMicros?: number | bigint;
    spentMicros?: number | bigint;
    reservedMicros?: number | bigint;
  };
  // `availableMicros`: the balance not held by requests still running.
  billing_shortfall: { balanceMicros?: number | bigint; availableMicros?: number | bigint };
  // `resetsAt`: when the refusing window ends (the same moment as Retry-After). `unknown_keys`: the
  // client sent too many well-formed keys that name no key (counted per client IP, not per key).
  rate_limit_exceeded: { limit?: number; unit?: "requests" | "tokens" | "unknown_keys"; resetsAt?: Instant };
  request_too_large: { maxBytes?: number };
  // Written by our own validators and translators (never copied from the client's input).
  invalid_request: { reason?: string };
  upstream_error: NoDetails;
  upstream_timeout: { timeoutSeconds?: number };
  // `check`: what could not be checked — the key (the database did not answer, or the gateway is
  // refusing reads of keys it has never seen during a flood of made-up ones) or the spend limits.
  service_unavailable: { check?: "key" | "spend" };
  internal_error: NoDetails;
  upstream_rejected: { reason?: string };
  // `supported`: the gateway's endpoints ("POST /v1/chat/completions", …), named in the message.
  endpoint_not_found: { method?: string; path?: string; supported?: readonly string[] };
  // `allowed`: the methods the path takes (also sent as the Allow header).
  method_not_allowed: { method?: string; path?: string; allowed?: readonly string[] };
  headers_too_large: { maxBytes?: number };
  missing_signature: NoDetails;
  malformed_signature: NoDetails;
  stale_signature: NoDetails;
  invalid_signature: NoDetails;
  malformed_body: { reason?: string };
  event_in_progress: NoDetails;
  event_not_applied: { reason?: string };
}

/** Options every code accepts, besides its own details. */
export interface CommonErrorOptions {
  /** The request field at fault, reported as OpenAI's `error.param`. */
  param?: string | null;
  /** Sent as `Retry-After` and named in the message where it helps. */
  retryAfterSeconds?: number;
  /** Extra response headers, e.g. the rate-limit headers. */
  headers?: Readonly<Record<string, string>>;
  /** The underlying fault, for logs only; never rendered. */
  cause?: unknown;
}

export type ErrorDetails<C extends ErrorCode> = ErrorDetailsByCode[C];
export type GatewayErrorOptions<C extends ErrorCode> = ErrorDetailsByCode[C] & CommonErrorOptions;
