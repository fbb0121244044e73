import { formatUsd } from "@/lib/billing/money";
import { periodAdjective, periodThis } from "@/lib/billing/period";
import type { ErrorCode } from "./error-codes";
import type { GatewayErrorOptions, Instant, InvalidApiKeyReason } from "./error-details";
import { ERROR_TABLE } from "./error-table";

const MAX_ECHO_LENGTH = 100;
const MAX_LISTED_MODELS = 20;

// Model names and similar values come from the client. Some clients put a credential where a
// model or header belongs, so anything shaped like a key is never repeated back.
const KEY_LIKE = /\b(?:sk-[A-Za-z0-9_-]{8,}|AIza[A-Za-z0-9_-]{20,}|gsk_[A-Za-z0-9]{20,}|xai-[A-Za-z0-9]{20,}|[A-Za-z0-9_-]{40,})/;

function echo(value: string): string {
  if (KEY_LIKE.test(value)) return "(a value that looks like an API key)";
  // Control characters would break log lines and terminal output.
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, "");
  return clean.length > MAX_ECHO_LENGTH ? `${clean.slice(0, MAX_ECHO_LENGTH)}…` : clean;
}

function iso(instant: Instant | undefined): string | undefined {
  if (instant === undefined) return undefined;
  const date = instant instanceof Date ? instant : new Date(instant);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} bytes`;
}

function seconds(value: number): string {
  const n = Math.max(1, Math.ceil(value));
  return n === 1 ? "1 second" : `${n} seconds`;
}

const INVALID_KEY_MESSAGES: { readonly [R in InvalidApiKeyReason]: string } = {
  not_gatehouse_format: "This is not a Gatehouse API key. Gatehouse keys start with sk-gate- and are 57 characters long; copy yours from your dashboard.",
  wrong_length:
    "This API key has the wrong length. Gatehouse keys are exactly 57 characters, starting with sk-gate-, so part of it was probably cut off or doubled while copying. Copy the whole key again.",
  bad_characters:
    "This API key contains characters that never appear in Gatehouse keys (after sk-gate- they use only letters and digits), such as quotes or punctuation. Copy the key again without editing it.",
  bad_checksum:
    "This API key has a typo: its last characters do not match the rest, so a character was changed or lost while copying. Copy the whole key again without editing it.",
  unknown_key: "This API key is not known to us. Check that you are using the current key from your dashboard.",
  deleted: "This API key was deleted and no longer works. Use another key from your dashboard, or create a new one.",
};

type Builders = { readonly [C in ErrorCode]: (options: GatewayErrorOptions<C>) => string };

const builders: Builders = {
  missing_api_key: () => 'No API key was sent. Send your key in the "Authorization: Bearer <key>" header or the "x-api-key" header.',
  api_key_whitespace: () =>
    "Your API key has a space, tab or line break in it, usually from copying. Paste it again without the surrounding spaces, quotes or line breaks.",
  api_key_invisible_characters: () =>
    "Your API key contains invisible characters (such as a zero-width space or byte-order mark), often added when text is copied through a chat app or document. Copy the key again straight from where you saved it, or retype it in a plain-text editor.",
  api_key_masked_preview: () =>
    "This is the masked preview of a key (with … or •), not the key itself. Use the full key you saved when it was revealed; if you did not save it, rotate the key in your dashboard to get a new one.",
  api_key_other_provider: ({ provider }) =>
    `This looks like ${provider ? `an API key from ${echo(provider)}` : "another provider's API key"}, not a Gatehouse key. Use your Gatehouse key, which starts with sk-gate-.`,
  invalid_api_key: ({ reason }) => (reason ? INVALID_KEY_MESSAGES[reason] : `${ERROR_TABLE.invalid_api_key.meaning} ${ERROR_TABLE.invalid_api_key.whatToDo}`),
  api_key_replaced: ({ replacedAt }) => {
    const when = iso(replacedAt);
    return `This key was replaced${when ? ` on ${when}` : " by a newer key"}. Copy the current key from your dashboard.`;
  },
  api_key_disabled: () => "This key is disabled. Enable it again from your dashboard, or open a support ticket with your order ID if you did not disable it.",
  access_expired: ({ endedAt, scope }) => {
    const when = iso(endedAt);
    const subject = scope === "key" ? "This key expired" : "Your access ended";
    return `${subject}${when ? ` at ${when}` : ""}. To keep using the API, buy a new plan or contact support with your order ID.`;
  },
  access_not_started: ({ startsAt }) => {
    const when = iso(startsAt);
    return when ? `Your access starts at ${when}. Try again after that time.` : "Your access has not started yet. Check the start time on your dashboard.";
  },
  order_cancelled: ({ endedAt, refunded }) => {
    const when = iso(endedAt);
    return `The order for this key was ${refunded ? "refunded" : "cancelled"}${when ? ` on ${when}` : ""}, so its access has ended. If you think this is a mistake, open a support ticket with your order ID.`;
  },
  ip_not_allowed: ({ clientIp }) =>
    `Requests from ${clientIp ? `IP address ${echo(clientIp)}` : "your IP address"} are not allowed for this key. Call from an allowed address, or add this one to the key's IP allowlist in your dashboard.`,
  model_not_allowed: ({ model, allowedModels }) => {
    const subject = model ? `the model "${echo(model)}"` : "this model";
    let allowed = "";
    if (allowedModels && allowedModels.length > 0) {
      const shown = allowedModels.slice(0, MAX_LISTED_MODELS).map(echo).join(", ");
      const more = allowedModels.length - MAX_LISTED_MODELS;
      allowed = ` Allowed models: ${shown}${more > 0 ? ` and ${more} more` : ""}.`;
    }
    return `This key may not use ${subject}.${allowed}`;
  },
  model_not_found: ({ model }) =>
    `${model ? `The model "${echo(model)}" does not exist here` : "That model does not exist here"}. GET /v1/models lists the models your key can use.`,
  api_key_quota_exceeded: ({ period = "MONTH", resetsAt, limitMicros, spentMicros, reservedMicros }) => {
    const when = iso(resetsAt);
    const limit = limitMicros === undefined ? "" : ` of ${formatUsd(limitMicros)}`;
    let left = "";
    if (limitMicros !== undefined && spentMicros !== undefined) {
      const held = BigInt(reservedMicros ?? 0);
      const remaining = BigInt(limitMicros) - BigInt(spentMicros) - held;
      const heldText = held > 0n ? ` and ${formatUsd(held)} is held for requests still running` : "";
      left = ` ${formatUsd(spentMicros)} was spent ${periodThis(period)}${heldText}, leaving ${formatUsd(remaining > 0n ? remaining : 0n)}, not enough for this request.`;
    }
    return `This key has reached its ${periodAdjective(period)} spend limit${limit}.${left} ${when ? `It resets at ${when}; until then, raise` : "Raise"} the limit in your dashboard or use another key.`;
  },
  billing_shortfall: ({ balanceMicros, availableMicros }) => {
    const balance = balanceMicros === undefined ? "" : ` (${formatUsd(balanceMicros)})`;
    const held =
      balanceMicros !== undefined && availableMicros !== undefined && BigInt(availableMicros) < BigInt(balanceMicros)
        ? ` ${formatUsd(BigInt(availableMicros) > 0n ? availableMicros : 0)} of it is free; the rest is held for requests still running.`
        : "";
    return `Your order's remaining balance${balance} cannot cover this request.${held} Credit does not renew by itself: send a smaller request, or contact support with your order ID to add credit.`;
  },
  rate_limit_exceeded: ({ limit, unit, retryAfterSeconds, resetsAt }) => {
    if (unit === "unknown_keys") {
      const cap = limit === undefined ? "" : ` (limit: ${limit} per minute)`;
      const retry = retryAfterSeconds === undefined ? "Wait a moment" : `Try again in ${seconds(retryAfterSeconds)}`;
      return `Too many requests with API keys we do not know came from your address${cap}. ${retry} with the current key from your dashboard.`;
    }
    const cap = limit === undefined ? "" : ` (limit: ${limit} ${unit ?? "requests"} per minute)`;
    const retry = retryAfterSeconds === undefined ? "Wait a moment" : `Try again in ${seconds(retryAfterSeconds)}`;
    const when = iso(resetsAt);
    const reset = when ? ` The limit resets at ${when}.` : "";
    return `Too many requests for this key${cap}.${reset} ${retry}, or spread your requests out.`;
  },
  headers_too_large: ({ maxBytes }) =>
    `The request headers are larger than ${maxBytes === undefined ? "we accept" : `the ${formatBytes(maxBytes)} limit`}. Send the API key in one header and leave out oversized ones.`,
  request_too_large: ({ maxBytes }) =>
    `The request body is larger than ${maxBytes === undefined ? "we accept" : `the ${formatBytes(maxBytes)} limit`}. Shorten the prompt or send smaller attachments.`,
  invalid_request: ({ reason }) => (reason ? `Invalid request: ${reason}` : `${ERROR_TABLE.invalid_request.meaning} ${ERROR_TABLE.invalid_request.whatToDo}`),
  upstream_error: () =>
    "Every upstream provider for this model failed to answer. Try again in a moment; if it keeps happening, open a support ticket with the request ID.",
  upstream_timeout: ({ timeoutSeconds }) =>
    `The upstream provider did not answer${timeoutSeconds === undefined ? " in time" : ` within ${seconds(timeoutSeconds)}`}. Try again, or use streaming for long answers; if it keeps happening, open a support ticket with the request ID.`,
  service_unavailable: ({ check }) =>
    check === "key"
      ? "We could not check this key just now, so the request was not sent. Try again in a few seconds."
      : "We could not check this key's spending limits just now, so the request was not sent. Try again in a few seconds.",
  internal_error: () => "Something went wrong on our side. Try again; if it keeps happening, open a support ticket with the request ID.",
  upstream_rejected: ({ reason }) =>
    reason ? `The upstream refused the request: ${reason}` : `${ERROR_TABLE.upstream_rejected.meaning} ${ERROR_TABLE.upstream_rejected.whatToDo}`,
  endpoint_not_found: ({ method, path, supported }) => {
    const what = path ? `${method ? `${echo(method)} ` : ""}${echo(path)}` : "that path";
    const list = supported && supported.length > 0 ? ` The endpoints are: ${supported.join(", ")}.` : "";
    return `There is no API endpoint at ${what}.${list} Check the base URL your client is configured with.`;
  },
  method_not_allowed: ({ method, path, allowed }) => {
    const subject = path ? echo(path) : "This endpoint";
    const takes = allowed && allowed.length > 0 ? ` It takes ${allowed.join(" or ")}.` : "";
    return `${subject} does not take ${method ? echo(method) : "this method"}.${takes}`;
  },
  missing_signature: () => ERROR_TABLE.missing_signature.meaning,
  malformed_signature: () => ERROR_TABLE.malformed_signature.meaning,
  stale_signature: () => ERROR_TABLE.stale_signature.meaning,
  invalid_signature: () => ERROR_TABLE.invalid_signature.meaning,
  malformed_body: ({ reason }) => (reason ? `The event is not valid: ${reason}` : ERROR_TABLE.malformed_body.meaning),
  event_in_progress: () => ERROR_TABLE.event_in_progress.meaning,
  event_not_applied: ({ reason }) => reason ?? ERROR_TABLE.event_not_applied.meaning,
};

/** The client-facing message for a code, made specific by whatever details are given. */
export function buildErrorMessage<C extends ErrorCode>(code: C, options: GatewayErrorOptions<C>): string {
  const build = builders[code] as (options: GatewayErrorOptions<C>) => string;
  return build(options);
}
