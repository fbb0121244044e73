import "server-only";
import { errorResponse, GatewayError } from "@/lib/errors";
import { pathProtocol } from "./client-protocol";
import { geminiEndpoints, geminiModels, geminiPost } from "./gemini-routes";
import type { WebHandler } from "./web-host";
import { forwardingHandler } from "./pipeline";
import { keyStatus } from "./key-status";
import { listModels, retrieveModel } from "./list-models";
import { newRequestId } from "./request-id";

// Every gateway endpoint, once. server.ts serves these handlers itself (lib/gateway/web-host.ts)
// before Next sees the request. The route files under app/v1 and app/v1beta export the same
// handlers, so Next serves them under `npm run dev`, with GATEHOUSE_GATEWAY_VIA_NEXT=1, or when
// Next runs alone; each declares `dynamic = "force-dynamic"` (Next reads it from the file itself),
// which keeps them per request and spares Next the proxy it wraps around the request of a route
// whose dynamic behaviour it has to detect.

export const chatCompletions: WebHandler = forwardingHandler("openai", "chat", "/v1/chat/completions");
export const responses: WebHandler = forwardingHandler("openai", "responses", "/v1/responses");
export const embeddings: WebHandler = forwardingHandler("openai", "embeddings", "/v1/embeddings");
export const messages: WebHandler = forwardingHandler("anthropic", "messages", "/v1/messages");
export const countTokens: WebHandler = forwardingHandler("anthropic", "count_tokens", "/v1/messages/count_tokens");

const EXACT: Record<string, Partial<Record<string, WebHandler>>> = {
  "/v1/chat/completions": { POST: chatCompletions },
  "/v1/responses": { POST: responses },
  "/v1/embeddings": { POST: embeddings },
  "/v1/messages": { POST: messages },
  "/v1/messages/count_tokens": { POST: countTokens },
  "/v1/models": { GET: listModels },
  "/v1/key": { GET: keyStatus },
  "/v1beta/models": { GET: geminiModels },
};

/** `/v1beta/models/{target}` and `/v1/models/{target}`: the version and the target, or null. */
function modelPath(pathname: string): { version: "v1beta" | "v1"; target: string } | null {
  const version = pathname.startsWith("/v1beta/models/") ? "v1beta" : pathname.startsWith("/v1/models/") ? "v1" : null;
  if (!version) return null;
  const target = pathname.slice(version.length + "//models/".length);
  // A backslash is a slash to a URL parser (the model is read from the parsed URL): Next
  // redirects such a path, and so it goes there. A target that is not valid percent-encoded
  // UTF-8 is answered here (400): Next fails on it with a 500.
  if (target === "" || target.includes("/") || target.includes("\\")) return null;
  return { version, target };
}

/**
 * The handler for a method and path (no query), or null when the gateway has no endpoint there
 * (another method, a trailing slash, any other path): see gatewayFallback for those.
 *
 * `/v1/models/{model}` is shared: a POST is a Gemini method (`{model}:generateContent`, …: no
 * other protocol posts there), a GET is answered in the shape of the client's protocol, told by
 * its headers (list-models.ts).
 */
export function gatewayRoute(method: string | undefined, pathname: string): WebHandler | null {
  if (Object.hasOwn(EXACT, pathname)) {
    const exact = EXACT[pathname]!;
    return (method && Object.hasOwn(exact, method) && exact[method]) || null;
  }
  const model = modelPath(pathname);
  if (model) {
    const { version, target } = model;
    if (method === "POST") return (request) => geminiPost(request, target, version);
    if (method === "GET") return version === "v1beta" ? (request) => geminiModels(request, target) : (request) => retrieveModel(request, target);
  }
  return null;
}

/** The methods a path takes, or null when it is no endpoint. */
function methodsAt(pathname: string): string[] | null {
  if (Object.hasOwn(EXACT, pathname)) return Object.keys(EXACT[pathname]!);
  return modelPath(pathname) ? ["GET", "POST"] : null;
}

/** Every endpoint, as the 404's message names them: the table above and the Gemini methods. */
export function supportedEndpoints(): string[] {
  const exact = Object.entries(EXACT)
    .filter(([path]) => !path.startsWith("/v1beta/"))
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
  exact.splice(exact.indexOf("GET /v1/models") + 1, 0, "GET /v1/models/{model}");
  return [...exact, ...geminiEndpoints("v1beta"), "the same Gemini methods under /v1/models/"];
}

/** Whether a path is under /v1 or /v1beta (the gateway's), rather than merely starting with "/v1". */
export function isGatewayPath(pathname: string): boolean {
  return pathname === "/v1" || pathname === "/v1beta" || pathname.startsWith("/v1/") || pathname.startsWith("/v1beta/");
}

/**
 * The answer for a request under /v1 or /v1beta that no endpoint takes (gatewayRoute gave null),
 * in the caller's protocol shape: 405 `method_not_allowed` (with Allow) for an endpoint's path
 * with another method, 404 `endpoint_not_found` naming the endpoints for any other path, never
 * Next's HTML page. Null for what Next answers as it does any path: a path outside the gateway,
 * one ending in a slash or holding a backslash (redirected), and HEAD or OPTIONS on an endpoint
 * (from its GET; the Allow header).
 */
export function gatewayFallback(method: string | undefined, pathname: string): WebHandler | null {
  if (!isGatewayPath(pathname) || pathname.endsWith("/") || pathname.includes("\\")) return null;
  const allowed = methodsAt(pathname);
  if (allowed && (method === "OPTIONS" || (method === "HEAD" && allowed.includes("GET")))) return null;
  return (request) => {
    const protocol = pathProtocol(pathname, request.headers, new URL(request.url));
    const error = allowed
      ? new GatewayError("method_not_allowed", { method, path: pathname, allowed, headers: { allow: allowed.join(", ") } })
      : new GatewayError("endpoint_not_found", { method, path: pathname, supported: supportedEndpoints() });
    return Promise.resolve(errorResponse(error, protocol, newRequestId()));
  };
}

/** The same answer for a Web request: the catch-all route files under app/v1 and app/v1beta. */
export function gatewayFallbackResponse(request: Request): Promise<Response> {
  const pathname = new URL(request.url).pathname;
  const fallback = gatewayFallback(request.method, pathname);
  const error = new GatewayError("endpoint_not_found", { method: request.method, path: pathname, supported: supportedEndpoints() });
  return fallback ? fallback(request) : Promise.resolve(errorResponse(error, pathProtocol(pathname, request.headers, null), newRequestId()));
}
