import type { CatalogChannel } from "./catalog";
import type { Protocol } from "./types";

export type Operation = "chat" | "messages" | "count_tokens";

export const DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

/** Request headers passed to an upstream of the same protocol, besides its credential. */
const PASS_THROUGH: Record<Protocol, string[]> = {
  openai: ["accept", "openai-beta", "user-agent", "x-stainless-lang", "x-stainless-package-version"],
  anthropic: ["accept", "anthropic-beta", "user-agent", "x-stainless-lang", "x-stainless-package-version", "x-app"],
  gemini: ["accept", "user-agent", "x-goog-api-client"],
};

/** The upstream URL and headers for one operation on one channel. */
export function buildUpstreamTarget(channel: CatalogChannel, operation: Operation, clientHeaders: Headers, clientUrl: URL) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const name of PASS_THROUGH[channel.protocol]) {
    const value = clientHeaders.get(name);
    if (value !== null) headers[name] = value;
  }
  let url: string;
  if (channel.protocol === "openai") {
    url = `${channel.baseUrl}/chat/completions`;
    headers.authorization = `Bearer ${channel.apiKey}`;
  } else if (channel.protocol === "anthropic") {
    const beta = clientUrl.searchParams.get("beta") === "true" ? "?beta=true" : "";
    url = `${channel.baseUrl}/v1/messages${operation === "count_tokens" ? "/count_tokens" : ""}${beta}`;
    headers["x-api-key"] = channel.apiKey;
    headers["anthropic-version"] = clientHeaders.get("anthropic-version") ?? DEFAULT_ANTHROPIC_VERSION;
  } else {
    throw new Error("Gemini channels are reached through the Gemini endpoints");
  }
  return { url, headers };
}
