// The closed set of refusal codes, in the order of DESIGN.md's Errors table. Clients, logs and the
// FAQ rely on these strings, so a code is never renamed once shipped; add new ones instead.
export const ERROR_CODES = [
  "missing_api_key",
  "api_key_whitespace",
  "api_key_invisible_characters",
  "api_key_masked_preview",
  "api_key_other_provider",
  "invalid_api_key",
  "api_key_replaced",
  "api_key_disabled",
  "access_expired",
  "access_not_started",
  "order_cancelled",
  "ip_not_allowed",
  "model_not_allowed",
  "model_not_found",
  "api_key_quota_exceeded",
  "billing_shortfall",
  "rate_limit_exceeded",
  "request_too_large",
  "invalid_request",
  "upstream_error",
  "upstream_timeout",
  "service_unavailable",
  "internal_error",
  // Not in DESIGN.md's table: a provider's own refusal of a translated request, passed on.
  "upstream_rejected",
  // Not in DESIGN.md's table: a path under /v1 or /v1beta that is no endpoint, or a method the
  // endpoint does not take.
  "endpoint_not_found",
  "method_not_allowed",
  // Not in DESIGN.md's table: request headers over Node's limit (16 KiB), answered by the server
  // before any handler runs.
  "headers_too_large",
  // The marketplace webhook's refusals (audience "webhook": not listed in the buyers' FAQ).
  "missing_signature",
  "malformed_signature",
  "stale_signature",
  "invalid_signature",
  "malformed_body",
  "event_in_progress",
  "event_not_applied",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && CODE_SET.has(value);
}
