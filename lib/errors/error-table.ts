import type { ErrorCode } from "./error-codes";

export type OpenAIErrorType = "invalid_request_error" | "permission_error" | "insufficient_quota" | "rate_limit_error" | "api_error";

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "billing_error"
  | "rate_limit_error"
  | "request_too_large"
  | "api_error";

// google.rpc.Code names. Gemini clients read `status`, so each row uses the canonical code whose
// definition fits the refusal, even where our HTTP status has no Google counterpart (402, 413).
export type GeminiStatus =
  | "INVALID_ARGUMENT"
  | "FAILED_PRECONDITION"
  | "UNAUTHENTICATED"
  | "PERMISSION_DENIED"
  | "NOT_FOUND"
  | "RESOURCE_EXHAUSTED"
  | "INTERNAL"
  | "UNAVAILABLE"
  | "DEADLINE_EXCEEDED";

export interface ErrorSpec {
  readonly status: number;
  readonly openaiType: OpenAIErrorType;
  readonly anthropicType: AnthropicErrorType;
  readonly geminiStatus: GeminiStatus;
  /** A few words, for the FAQ table and log views. */
  readonly title: string;
  /** What happened, in plain language. */
  readonly meaning: string;
  /** What the caller can do about it. */
  readonly whatToDo: string;
  /** Who meets it: API clients (the default; listed in the FAQ) or the marketplace's webhook sender. */
  readonly audience?: "webhook";
}

// Every credential and order-window refusal shares one status and type: SDKs treat 401 as "fix the
// credential" and do not retry it, which suits all of them; the code and message say which one.
const AUTH = {
  status: 401,
  openaiType: "invalid_request_error",
  anthropicType: "authentication_error",
  geminiStatus: "UNAUTHENTICATED",
} as const;

const PERMISSION = {
  status: 403,
  openaiType: "permission_error",
  anthropicType: "permission_error",
  geminiStatus: "PERMISSION_DENIED",
} as const;

export const ERROR_TABLE: { readonly [C in ErrorCode]: ErrorSpec } = {
  missing_api_key: {
    ...AUTH,
    title: "No API key sent",
    meaning: "The request arrived without an API key.",
    whatToDo:
      'Send your key in the "Authorization: Bearer <key>" header or the "x-api-key" header. If you use an environment variable, check that it is set in the terminal or service that makes the call.',
  },
  api_key_whitespace: {
    ...AUTH,
    title: "Space or line break in the key",
    meaning: "Your key has a space, tab or line break in it, usually picked up while copying.",
    whatToDo: "Paste it again without the surrounding spaces, quotes or line breaks.",
  },
  api_key_invisible_characters: {
    ...AUTH,
    title: "Invisible characters in the key",
    meaning:
      "Your key contains characters you cannot see, such as a zero-width space or a byte-order mark. Chat apps, documents and web pages sometimes add them when text is copied through them.",
    whatToDo: "Copy the key straight from your dashboard or password manager, or paste it into a plain-text editor first and retype anything that looks odd.",
  },
  api_key_masked_preview: {
    ...AUTH,
    title: "Masked preview pasted instead of the key",
    meaning: "What was sent is the shortened preview of a key (the form with … or •), not the key itself.",
    whatToDo: "Use the full key you saved when it was revealed. If you did not save it, rotate the key in your dashboard to get a new one.",
  },
  api_key_other_provider: {
    ...AUTH,
    title: "Key from another provider",
    meaning: "The key looks like one issued by another provider (for example Anthropic, OpenAI or Google), not by Gatehouse.",
    whatToDo: "Use your Gatehouse key, which starts with sk-gate-. Check which environment variable or settings field your tool reads the key from.",
  },
  invalid_api_key: {
    ...AUTH,
    title: "Invalid API key",
    meaning: "The key is not one we issued: it is incomplete, has a typo, or does not exist. Gatehouse keys are 57 characters long and start with sk-gate-.",
    whatToDo: "Copy the whole key again without editing it. If it still fails, the key may have been deleted: check your dashboard.",
  },
  api_key_replaced: {
    ...AUTH,
    title: "Key was replaced",
    meaning: "This key was rotated, and the new key has taken its place.",
    whatToDo: "Copy the current key from your dashboard and update your tools with it.",
  },
  api_key_disabled: {
    ...AUTH,
    title: "Key is disabled",
    meaning: "The key was switched off by you or by our support team.",
    whatToDo: "Enable it again from your dashboard if you turned it off, or open a support ticket with your order ID to ask why.",
  },
  access_expired: {
    ...AUTH,
    title: "Access has ended",
    meaning: "The access period of your order (or the key's own expiry) has passed.",
    whatToDo: "Check the end time on your dashboard. To keep using the API, buy a new plan or contact support with your order ID.",
  },
  access_not_started: {
    ...AUTH,
    title: "Access has not started yet",
    meaning: "Your order's access period begins later.",
    whatToDo: "Try again once the start time shown on your dashboard has passed.",
  },
  order_cancelled: {
    ...AUTH,
    title: "Order cancelled or refunded",
    meaning: "The order this key belongs to was cancelled or refunded, which ends its access.",
    whatToDo: "If you think this is a mistake, open a support ticket with your order ID.",
  },
  ip_not_allowed: {
    ...PERMISSION,
    title: "IP address not allowed",
    meaning: "The key has an IP allowlist, and the address the request came from is not on it.",
    whatToDo: "Call from an allowed address, or add the address named in the error to the key's allowlist in your dashboard.",
  },
  model_not_allowed: {
    ...PERMISSION,
    title: "Model not allowed for this key",
    meaning: "The model exists, but this key's model scope or your plan does not include it.",
    whatToDo: "Use one of the models listed in the error, or widen the key's model scope in your dashboard if your plan includes the model.",
  },
  model_not_found: {
    status: 404,
    openaiType: "invalid_request_error",
    anthropicType: "not_found_error",
    geminiStatus: "NOT_FOUND",
    title: "Unknown model",
    meaning: "No model by that name is offered here.",
    whatToDo: "Check the spelling of the model name. GET /v1/models lists every model your key can use.",
  },
  api_key_quota_exceeded: {
    status: 402,
    openaiType: "insufficient_quota",
    anthropicType: "billing_error",
    // A per-key quota that refills on its own when its period ends: RESOURCE_EXHAUSTED.
    geminiStatus: "RESOURCE_EXHAUSTED",
    title: "Key spend limit reached",
    meaning:
      "This key has spent its limit for the period: a day, a week or a calendar month, as set for the key, in UTC (weeks start on Monday 00:00 UTC). The limit resets exactly when the period ends.",
    whatToDo: "Wait for the reset time given in the error, raise or remove the key's spend limit on your order page, or use another key.",
  },
  billing_shortfall: {
    status: 402,
    openaiType: "insufficient_quota",
    anthropicType: "billing_error",
    // Nothing refills the balance by itself; retrying is pointless until someone adds credit, which is
    // Google's definition of FAILED_PRECONDITION.
    geminiStatus: "FAILED_PRECONDITION",
    title: "Balance too low",
    meaning: "The remaining credit on your order cannot cover this request.",
    whatToDo: "Send a smaller request (for example a lower max_tokens), or contact support with your order ID to add credit.",
  },
  rate_limit_exceeded: {
    status: 429,
    openaiType: "rate_limit_error",
    anthropicType: "rate_limit_error",
    geminiStatus: "RESOURCE_EXHAUSTED",
    title: "Too many requests",
    meaning: "The key sent more requests (or tokens) per minute than its plan allows, or your address sent too many keys we do not know.",
    whatToDo: "Wait the number of seconds in the Retry-After header, then try again. Spreading requests out or retrying with backoff avoids this.",
  },
  request_too_large: {
    status: 413,
    openaiType: "invalid_request_error",
    anthropicType: "request_too_large",
    geminiStatus: "INVALID_ARGUMENT",
    title: "Request too large",
    meaning: "The request body is bigger than we accept.",
    whatToDo: "Shorten the prompt, send fewer or smaller attachments, or split the work into several requests.",
  },
  invalid_request: {
    status: 400,
    openaiType: "invalid_request_error",
    anthropicType: "invalid_request_error",
    geminiStatus: "INVALID_ARGUMENT",
    title: "Invalid request",
    meaning: "The request body is not valid JSON, misses a required field, or uses a field that cannot be converted for the model's provider.",
    whatToDo: "Fix the field named in the error and send the request again.",
  },
  upstream_error: {
    status: 502,
    openaiType: "api_error",
    anthropicType: "api_error",
    geminiStatus: "UNAVAILABLE",
    title: "Upstream provider error",
    meaning: "Every provider that serves this model failed to answer.",
    whatToDo: "Try again in a moment. If it keeps happening, open a support ticket and quote the request ID.",
  },
  upstream_timeout: {
    status: 504,
    openaiType: "api_error",
    anthropicType: "api_error",
    geminiStatus: "DEADLINE_EXCEEDED",
    title: "Upstream provider timed out",
    meaning: "The provider serving this model took too long to answer.",
    whatToDo: "Try again; for long answers, streaming (stream: true) keeps the connection active. If it persists, open a support ticket with the request ID.",
  },
  service_unavailable: {
    status: 503,
    openaiType: "api_error",
    anthropicType: "api_error",
    geminiStatus: "UNAVAILABLE",
    title: "Temporarily unavailable",
    meaning:
      "We could not check your key or your spending limits just now (our database or limits store did not answer, or, during a flood of made-up keys, a key we have not heard of yet waits its turn to be looked up), so the request was not sent: we never let requests run unchecked or unmetered.",
    whatToDo: "Try again in a few seconds. If it keeps happening, open a support ticket with the request ID.",
  },
  internal_error: {
    status: 500,
    openaiType: "api_error",
    anthropicType: "api_error",
    geminiStatus: "INTERNAL",
    title: "Internal error",
    meaning: "Something went wrong on our side.",
    whatToDo: "Try again. If it keeps happening, open a support ticket and quote the request ID.",
  },
  upstream_rejected: {
    status: 400,
    openaiType: "invalid_request_error",
    anthropicType: "invalid_request_error",
    geminiStatus: "INVALID_ARGUMENT",
    title: "Refused by the provider",
    meaning: "The model's provider refused the request (for example a parameter or value it does not accept); its reason is quoted in the message.",
    whatToDo: "Change what the quoted reason names and send the request again.",
  },
  endpoint_not_found: {
    status: 404,
    openaiType: "invalid_request_error",
    anthropicType: "not_found_error",
    geminiStatus: "NOT_FOUND",
    title: "No such endpoint",
    meaning: "The path is not one of the gateway's API endpoints, often because the client's base URL has an extra or a missing part.",
    whatToDo: "Set the base URL as the setup guide shows for your client; the message lists the endpoints the gateway serves.",
  },
  method_not_allowed: {
    status: 405,
    openaiType: "invalid_request_error",
    anthropicType: "invalid_request_error",
    // Google's front end answers a method a resource does not have as a path it does not know.
    geminiStatus: "NOT_FOUND",
    title: "Method not allowed",
    meaning: "The endpoint exists but does not take this HTTP method (for example a GET where it expects a POST).",
    whatToDo: "Use the method named in the message and in the Allow header.",
  },
  headers_too_large: {
    status: 431,
    openaiType: "invalid_request_error",
    anthropicType: "request_too_large",
    geminiStatus: "INVALID_ARGUMENT",
    title: "Request headers too large",
    meaning: "The request's headers together are bigger than the server accepts, usually because of a very long header or many cookies.",
    whatToDo: "Send the key in one header and drop unneeded or oversized headers; the body has a limit of its own and is the place for long content.",
  },
  ...webhookErrors({
    missing_signature: [
      401,
      "Signature missing",
      "The x-marketplace-signature header is missing.",
      "Sign every delivery as the webhook documentation describes.",
    ],
    malformed_signature: [
      401,
      "Signature malformed",
      "The x-marketplace-signature header is not of the form t=<unix seconds>,v1=<hex>.",
      "Send the header in that form.",
    ],
    stale_signature: [
      401,
      "Signature too old",
      "The signature's timestamp is more than five minutes from the server's clock.",
      "Sign each delivery when it is sent, with a correct clock.",
    ],
    invalid_signature: [
      401,
      "Signature does not match",
      "The signature does not match the body under the shared secret.",
      "Sign the exact bytes sent with the secret configured here.",
    ],
    malformed_body: [400, "Event not valid", "The body is not JSON, or not a valid event.", "Fix the field named in the message and deliver the event again."],
    event_in_progress: [409, "Event being applied", "This event is being applied by another delivery.", "Deliver it again in a few seconds."],
    event_not_applied: [
      422,
      "Event stored, not applied",
      "The event is authentic but cannot be applied (for example an unknown plan); it is stored with its reason.",
      "An admin fixes the cause and replays the event; delivering it again retries it.",
    ],
  }),
};

/** Rows for the webhook's refusals: only status and words matter; the API shapes never carry them. */
function webhookErrors<K extends string>(rows: Record<K, [status: number, title: string, meaning: string, whatToDo: string]>): Record<K, ErrorSpec> {
  const out = {} as Record<K, ErrorSpec>;
  for (const code of Object.keys(rows) as K[]) {
    const [status, title, meaning, whatToDo] = rows[code];
    const geminiStatus = status === 401 ? "UNAUTHENTICATED" : status === 409 ? "FAILED_PRECONDITION" : "INVALID_ARGUMENT";
    out[code] = {
      status,
      openaiType: "invalid_request_error",
      anthropicType: status === 401 ? "authentication_error" : "invalid_request_error",
      geminiStatus,
      title,
      meaning,
      whatToDo,
      audience: "webhook",
    };
  }
  return out;
}
