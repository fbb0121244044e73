import { toGatewayError, type GatewayError } from "./gateway-error";
import { renderAnthropicError } from "./render-anthropic-error";
import { renderGeminiError } from "./render-gemini-error";
import { renderOpenAIError } from "./render-openai-error";

/** The wire protocol a client speaks, which decides the shape of its error bodies. */
export type ApiProtocol = "openai" | "anthropic" | "gemini";

/** A refusal's status, headers (name-value pairs, lower-case names, each once) and JSON body. */
export interface ErrorAnswer {
  status: number;
  headers: [string, string][];
  body: string;
}

/**
 * The HTTP answer for a refusal, shaped for the client's protocol. Accepts any thrown value:
 * anything that is not a GatewayError is answered as a generic `internal_error`.
 */
export function errorResponse(error: unknown, protocol: ApiProtocol, requestId: string): Response {
  const answer = errorAnswer(error, protocol, requestId);
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** What errorResponse answers, in parts: for a host that writes them itself (lib/server/node-host.ts). */
export function errorAnswer(error: unknown, protocol: ApiProtocol, requestId: string): ErrorAnswer {
  const err = toGatewayError(error);
  // Anthropic's body names the request, so it is never the same twice.
  const constant = protocol !== "anthropic" && CONSTANT.has(err) ? constantAnswer(err, protocol) : undefined;
  if (constant) return { status: constant.status, headers: [...constant.headers, ["x-request-id", requestId]], body: constant.body };
  const answer = renderAnswer(err, protocol, requestId);
  answer.headers.push(["x-request-id", requestId]);
  return answer;
}

/** The answer but for its X-Request-ID (last: the caller adds it). */
function renderAnswer(err: GatewayError, protocol: ApiProtocol, requestId: string): ErrorAnswer {
  const body = protocol === "anthropic" ? renderAnthropicError(err, requestId) : protocol === "gemini" ? renderGeminiError(err) : renderOpenAIError(err);

  // Caller-supplied headers go first so they cannot displace the ones this contract guarantees.
  const headers: Record<string, string> = {};
  for (const name in err.headers) headers[name.toLowerCase()] = err.headers[name]!;
  headers["content-type"] = "application/json";
  headers["cache-control"] = "no-store";
  if (protocol === "anthropic") headers["request-id"] = requestId;
  if (err.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.max(0, Math.ceil(err.retryAfterSeconds)));
  // RFC 9110 requires a challenge on every 401.
  if (err.status === 401) headers["www-authenticate"] = 'Bearer realm="gatehouse"';
  delete headers["x-request-id"];

  return { status: err.status, headers: Object.entries(headers), body: JSON.stringify(body) };
}

/** Errors made by constantError, with their answers as rendered so far, by protocol. */
const CONSTANT = new WeakMap<GatewayError, Partial<Record<ApiProtocol, ErrorAnswer>>>();

function constantAnswer(err: GatewayError, protocol: ApiProtocol): ErrorAnswer {
  const answers = CONSTANT.get(err)!;
  return (answers[protocol] ??= renderAnswer(err, protocol, ""));
}

/**
 * One error for a refusal that is the same for every request that gets it (a flood's 503, say):
 * its answer is rendered once per protocol rather than for each request. A GatewayError's fields
 * are read-only; nothing may change this one after this call. (Not frozen: the logger's error
 * serializer marks the errors it visits.)
 */
export function constantError(error: GatewayError): GatewayError {
  CONSTANT.set(error, {});
  return error;
}
