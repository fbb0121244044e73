import "server-only";
import { errorResponse, GatewayError, toGatewayError } from "@/lib/errors";
import { authenticate } from "./authenticate";
import { allowedModels, checkModelName } from "./authorize-model";
import { gatewayCatalog } from "./catalog";
import { withGateway } from "./gateway-call";
import { forward, type ForwardingSpec } from "./pipeline";
import { newRequestId } from "./request-id";

// Gemini-native endpoints: /v1beta/models/{model}:generateContent, :streamGenerateContent
// (?alt=sse or a streamed JSON array), :countTokens, and the model list. The key may also come
// as ?key= or x-goog-api-key, as Gemini clients send it.

const METHODS: Record<string, ForwardingSpec> = {
  generateContent: { protocol: "gemini", operation: "generate", endpoint: "/v1beta/models:generateContent" },
  streamGenerateContent: { protocol: "gemini", operation: "stream_generate", endpoint: "/v1beta/models:streamGenerateContent" },
  countTokens: { protocol: "gemini", operation: "gemini_count_tokens", endpoint: "/v1beta/models:countTokens" },
};

/** The `{model}:{method}` segment of a request's path, as sent (still percent-encoded). */
export function targetSegment(url: URL): string {
  return url.pathname.slice(url.pathname.lastIndexOf("/") + 1);
}

/** The path segment decoded, or a refusal when it is not valid percent-encoded UTF-8. */
function decodeTarget(target: string): string {
  try {
    return decodeURIComponent(target).replace(/^models\//, "");
  } catch {
    throw new GatewayError("invalid_request", { reason: "the model in the path is not valid percent-encoded UTF-8", param: "model" });
  }
}

/** "gemini-2.5-flash:generateContent" (possibly URL-encoded) → model and method; throws when not decodable. */
function parseGeminiTarget(target: string): { model: string; method: string } | null {
  const decoded = decodeTarget(target);
  const colon = decoded.lastIndexOf(":");
  if (colon <= 0) return null;
  return { model: decoded.slice(0, colon), method: decoded.slice(colon + 1) };
}

// POST /v1beta/models/{model}:{method}
export function geminiPost(request: Request, target: string): Promise<Response> {
  let parsed: ReturnType<typeof parseGeminiTarget>;
  try {
    parsed = parseGeminiTarget(target);
  } catch (err) {
    return Promise.resolve(errorResponse(toGatewayError(err), "gemini", newRequestId()));
  }
  const spec = parsed && Object.hasOwn(METHODS, parsed.method) ? METHODS[parsed.method] : undefined;
  if (!parsed || !spec) {
    const error = new GatewayError("invalid_request", { reason: "use models/{model}:generateContent, :streamGenerateContent or :countTokens" });
    return Promise.resolve(errorResponse(error, "gemini", newRequestId()));
  }
  return forward(spec, request, parsed.model);
}

function modelResource(id: string) {
  return {
    name: `models/${id}`,
    baseModelId: id,
    version: "001",
    displayName: id,
    supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
  };
}

// GET /v1beta/models and GET /v1beta/models/{model}
export function geminiModels(request: Request, target?: string): Promise<Response> {
  return withGateway(request, { protocol: "gemini", endpoint: "/v1beta/models" }, async (call) => {
    const key = await authenticate(call);
    const catalog = await gatewayCatalog();
    const models = allowedModels(key).filter((m) => catalog.channels.has(m));
    const headers = { "x-request-id": call.requestId, "cache-control": "no-store" };
    if (target === undefined) return Response.json({ models: models.map(modelResource) }, { headers });
    const id = decodeTarget(target);
    checkModelName(id);
    call.model = id;
    if (!catalog.channels.has(id)) throw new GatewayError("model_not_found", { model: id });
    if (!models.includes(id)) throw new GatewayError("model_not_allowed", { model: id, allowedModels: models });
    return Response.json(modelResource(id), { headers });
  });
}
