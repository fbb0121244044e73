import { toGatewayError } from "./gateway-error";
import { renderAnthropicError } from "./render-anthropic-error";
import { renderGeminiError } from "./render-gemini-error";
import { renderOpenAIError } from "./render-openai-error";

/** The wire protocol a client speaks, which decides the shape of its error bodies. */
export type ApiProtocol = "openai" | "anthropic" | "gemini";

/**
 * The HTTP answer for a refusal, shaped for the client's protocol. Accepts any thrown value:
 * anything that is not a GatewayError is answered as a generic `internal_error`.
 */
export function errorResponse(error: unknown, protocol: ApiProtocol, requestId: string): Response {
  const err = toGatewayError(error);
  const body = protocol === "anthropic" ? renderAnthropicError(err, requestId) : protocol === "gemini" ? renderGeminiError(err) : renderOpenAIError(err);

  // Caller-supplied headers go first so they cannot displace the ones this contract guarantees.
  const headers = new Headers(err.headers);
  headers.set("content-type", "application/json");
  headers.set("cache-control", "no-store");
  headers.set("x-request-id", requestId);
  if (protocol === "anthropic") headers.set("request-id", requestId);
  if (err.retryAfterSeconds !== undefined) {
    headers.set("retry-after", String(Math.max(0, Math.ceil(err.retryAfterSeconds))));
  }
  // RFC 9110 requires a challenge on every 401.
  if (err.status === 401) headers.set("www-authenticate", 'Bearer realm="gatehouse"');

  return new Response(JSON.stringify(body), { status: err.status, headers });
}
