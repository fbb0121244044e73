import "server-only";
import { geminiModels, geminiPost } from "./gemini-routes";
import type { WebHandler } from "./web-host";
import { forwardingHandler } from "./pipeline";
import { keyStatus } from "./key-status";
import { listModels } from "./list-models";

// Every gateway endpoint, once. server.ts serves these handlers itself (lib/gateway/web-host.ts)
// before Next sees the request. The route files under app/v1 and app/v1beta export the same
// handlers, so Next serves them under `npm run dev`, with GATEHOUSE_GATEWAY_VIA_NEXT=1, or when
// Next runs alone; each declares `dynamic = "force-dynamic"` (Next reads it from the file itself),
// which keeps them per request and spares Next the proxy it wraps around the request of a route
// whose dynamic behaviour it has to detect.

export const chatCompletions: WebHandler = forwardingHandler("openai", "chat", "/v1/chat/completions");
export const responses: WebHandler = forwardingHandler("openai", "responses", "/v1/responses");
export const messages: WebHandler = forwardingHandler("anthropic", "messages", "/v1/messages");
export const countTokens: WebHandler = forwardingHandler("anthropic", "count_tokens", "/v1/messages/count_tokens");

const EXACT: Record<string, Partial<Record<string, WebHandler>>> = {
  "/v1/chat/completions": { POST: chatCompletions },
  "/v1/responses": { POST: responses },
  "/v1/messages": { POST: messages },
  "/v1/messages/count_tokens": { POST: countTokens },
  "/v1/models": { GET: listModels },
  "/v1/key": { GET: keyStatus },
  "/v1beta/models": { GET: geminiModels },
};

const GEMINI_MODEL_PREFIX = "/v1beta/models/";

/**
 * The handler for a method and path (no query), or null when the gateway does not serve it there
 * (another method, a trailing slash, any other path): such requests go to Next, which answers them
 * as the route files would (405, 308, 404).
 */
export function gatewayRoute(method: string | undefined, pathname: string): WebHandler | null {
  const exact = EXACT[pathname];
  if (exact) return (method && exact[method]) || null;
  if (pathname.startsWith(GEMINI_MODEL_PREFIX)) {
    const target = pathname.slice(GEMINI_MODEL_PREFIX.length);
    // A backslash is a slash to a URL parser (the model is read from the parsed URL): Next
    // redirects such a path, and so it goes there. A target that is not valid percent-encoded
    // UTF-8 is answered here (400): Next fails on it with a 500.
    if (target === "" || target.includes("/") || target.includes("\\")) return null;
    if (method === "POST") return (request) => geminiPost(request, target);
    if (method === "GET") return (request) => geminiModels(request, target);
  }
  return null;
}
