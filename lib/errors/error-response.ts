import { toGatewayError } from "./gateway-error";
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
  const body = protocol === "anthropic" ? renderAnthropicError(err, requestId) : protocol === "gemini" ? renderGeminiError(err) : renderOpenAIError(err);

  // Caller-supplied headers go first so they cannot displace the ones this contract guarantees.
  const headers: Record<string, string> = {};
  for (const name in err.headers) headers[name.toLowerCase()] = err.headers[name]!;
  headers["content-type"] = "application/json";
  headers["cache-control"] = "no-store";
  headers["x-request-id"] = requestId;
  if (protocol === "anthropic") headers["request-id"] = requestId;
  if (err.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.max(0, Math.ceil(err.retryAfterSeconds)));
  // RFC 9110 requires a challenge on every 401.
  if (err.status === 401) headers["www-authenticate"] = 'Bearer realm="gatehouse"';

  return { status: err.status, headers: Object.entries(headers), body: JSON.stringify(body) };
}
