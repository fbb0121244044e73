import type { CatalogChannel } from "./catalog";
import type { Protocol } from "./types";

/** What the client called; "responses" is OpenAI's Responses API (its client protocol is "openai"). */
export type Operation =
  | "chat"
  | "responses"
  | "messages"
  | "count_tokens"
  | "generate"
  | "stream_generate"
  | "gemini_count_tokens"
  | "embeddings"
  | "embed_content"
  | "batch_embed_contents";

/** Whether an operation makes embeddings (OpenAI's embeddings, Gemini's embedContent and batchEmbedContents). */
export function isEmbeddingOperation(operation: Operation): boolean {
  return operation === "embeddings" || operation === "embed_content" || operation === "batch_embed_contents";
}

/** The Gemini REST method of an operation. */
export const GEMINI_METHODS: Partial<Record<Operation, string>> = {
  generate: "generateContent",
  stream_generate: "streamGenerateContent",
  gemini_count_tokens: "countTokens",
  embed_content: "embedContent",
  batch_embed_contents: "batchEmbedContents",
};

export const DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

/** Request headers passed to an upstream of the same protocol, besides its credential. */
const PASS_THROUGH: Record<Protocol, string[]> = {
  openai: ["accept", "openai-beta", "user-agent", "x-stainless-lang", "x-stainless-package-version"],
  anthropic: ["accept", "anthropic-beta", "user-agent", "x-stainless-lang", "x-stainless-package-version", "x-app"],
  gemini: ["accept", "user-agent", "x-goog-api-client"],
};

/**
 * The upstream URL and headers for one operation on one channel. The client's protocol headers
 * (anthropic-beta, the beta query, Gemini's stream framing) go along only when the channel speaks
 * the client's protocol; a translated request is plain.
 */
export function buildUpstreamTarget(
  channel: CatalogChannel,
  operation: Operation,
  clientHeaders: Headers,
  /** Holds the client's URL, read only where its query matters (Anthropic's beta flag, Gemini's framing). */
  client: { readonly url: URL },
  upstreamModel: string,
  sameProtocol = true,
) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (sameProtocol) {
    for (const name of PASS_THROUGH[channel.protocol]) {
      const value = clientHeaders.get(name);
      if (value !== null) headers[name] = value;
    }
  }
  let url: string;
  if (channel.protocol === "openai") {
    url = `${channel.baseUrl}/${operation === "responses" || operation === "embeddings" ? operation : "chat/completions"}`;
    headers.authorization = `Bearer ${channel.apiKey}`;
  } else if (channel.protocol === "anthropic") {
    const beta = sameProtocol && client.url.searchParams.get("beta") === "true" ? "?beta=true" : "";
    url = `${channel.baseUrl}/v1/messages${operation === "count_tokens" ? "/count_tokens" : ""}${beta}`;
    headers["x-api-key"] = channel.apiKey;
    headers["anthropic-version"] = (sameProtocol ? clientHeaders.get("anthropic-version") : null) ?? DEFAULT_ANTHROPIC_VERSION;
  } else {
    const method = GEMINI_METHODS[operation];
    if (!method) throw new Error(`Gemini channels do not take the ${operation} operation`);
    // Keep a Gemini client's stream framing (?alt=sse, or none: a JSON array streamed); a
    // translated stream is always read as SSE.
    const alt = sameProtocol ? client.url.searchParams.get("alt") : operation === "stream_generate" ? "sse" : null;
    url = `${channel.baseUrl}/v1beta/models/${encodeURIComponent(upstreamModel)}:${method}${alt ? `?alt=${encodeURIComponent(alt)}` : ""}`;
    headers["x-goog-api-key"] = channel.apiKey;
  }
  return { url, headers };
}
