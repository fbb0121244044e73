import type { Protocol } from "./types";

// /v1/models and /v1/models/{model} are shared by three protocols: OpenAI and Anthropic clients
// list and look up models there, and Google's Gen AI SDK (whose default API version is v1) too.
// The path cannot tell them apart; the headers each SDK sends can. No `server-only` import:
// server.ts's own request handling uses this.

/** Whether the request carries a key only where Gemini clients put it: `x-goog-api-key` or `?key=`. */
export function sendsGeminiKey(headers: Headers, url: URL | null): boolean {
  if (headers.has("authorization") || headers.has("x-api-key")) return false;
  return headers.has("x-goog-api-key") || (url !== null && url.searchParams.has("key"));
}

/**
 * The protocol a request to a shared path speaks: Anthropic when it sends `anthropic-version`
 * (every Anthropic SDK and Claude Code do), Gemini when its key comes as `x-goog-api-key` or
 * `?key=` (and no OpenAI or Anthropic credential header), OpenAI otherwise.
 */
export function sharedPathProtocol(headers: Headers, url: URL | null): Protocol {
  if (headers.has("anthropic-version")) return "anthropic";
  return sendsGeminiKey(headers, url) ? "gemini" : "openai";
}

/**
 * The protocol of a request to any path under /v1 or /v1beta, for the shape of an answer given
 * before (or instead of) an endpoint's handler: Gemini under /v1beta, Anthropic under
 * /v1/messages, otherwise as on a shared path (a Gemini client on /v1 sends its key its own way).
 */
export function pathProtocol(path: string, headers: Headers | null, url: URL | null): Protocol {
  if (path === "/v1beta" || path.startsWith("/v1beta/")) return "gemini";
  if (path.startsWith("/v1/messages")) return "anthropic";
  return headers ? sharedPathProtocol(headers, url) : "openai";
}
