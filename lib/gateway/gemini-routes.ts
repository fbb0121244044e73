import "server-only";
import { errorResponse, GatewayError, toGatewayError } from "@/lib/errors";
import { checkModelName, servedModels } from "./authorize-model";
import { gatewayCatalog } from "./catalog";
import { withGateway } from "./gateway-call";
import { jsonAnswer } from "./json-answer";
import { forward, type ForwardingSpec } from "./pipeline";
import { newRequestId } from "./request-id";

// Gemini-native endpoints: /v1beta/models/{model}:generateContent, :streamGenerateContent
// (?alt=sse or a streamed JSON array), :countTokens, :embedContent, :batchEmbedContents, and the
// model list; the same methods under /v1/models/ (the API version Google's Gen AI SDK 3 calls by
// default). The key may also come as ?key= or x-goog-api-key, as Gemini clients send it.

export type GeminiVersion = "v1beta" | "v1";

type GeminiOperation = Pick<ForwardingSpec, "operation"> & { method: string };

const METHODS: Record<string, GeminiOperation> = {
  generateContent: { method: "generateContent", operation: "generate" },
  streamGenerateContent: { method: "streamGenerateContent", operation: "stream_generate" },
  countTokens: { method: "countTokens", operation: "gemini_count_tokens" },
  embedContent: { method: "embedContent", operation: "embed_content" },
  batchEmbedContents: { method: "batchEmbedContents", operation: "batch_embed_contents" },
};

/** The log's endpoint names, one spec per version and method, built once. */
const SPECS: Record<GeminiVersion, Record<string, ForwardingSpec>> = { v1beta: specsFor("v1beta"), v1: specsFor("v1") };

function specsFor(version: GeminiVersion): Record<string, ForwardingSpec> {
  const specs: Record<string, ForwardingSpec> = {};
  for (const [name, m] of Object.entries(METHODS)) specs[name] = { protocol: "gemini", operation: m.operation, endpoint: `/${version}/models:${m.method}` };
  return specs;
}

/** The Gemini endpoints, as an error message names them. */
export function geminiEndpoints(version: GeminiVersion): string[] {
  return [`GET /${version}/models`, `GET /${version}/models/{model}`, ...Object.keys(METHODS).map((m) => `POST /${version}/models/{model}:${m}`)];
}

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

// POST /v1beta/models/{model}:{method} and /v1/models/{model}:{method}
export function geminiPost(request: Request, target: string, version: GeminiVersion = "v1beta"): Promise<Response> {
  let parsed: ReturnType<typeof parseGeminiTarget>;
  try {
    parsed = parseGeminiTarget(target);
  } catch (err) {
    return Promise.resolve(errorResponse(toGatewayError(err), "gemini", newRequestId()));
  }
  const spec = parsed && Object.hasOwn(SPECS[version], parsed.method) ? SPECS[version][parsed.method] : undefined;
  if (!parsed || !spec) {
    const path = `/${version}/models/${parsed ? `{model}:${parsed.method}` : "{model}"}`;
    const error = new GatewayError("endpoint_not_found", { method: "POST", path, supported: geminiEndpoints(version) });
    return Promise.resolve(errorResponse(error, "gemini", newRequestId()));
  }
  return forward(spec, request, parsed.model);
}

function modelResource(id: string, aliasFor?: string) {
  return {
    name: `models/${id}`,
    baseModelId: aliasFor ?? id,
    version: "001",
    displayName: aliasFor === undefined ? id : `${id} (served by ${aliasFor})`,
    supportedGenerationMethods: /embed/i.test(id) ? ["embedContent", "batchEmbedContents"] : ["generateContent", "streamGenerateContent", "countTokens"],
  };
}

// GET /v1beta/models and GET /v1beta/models/{model} (and on /v1 for a Gemini client: see list-models.ts)
export function geminiModels(request: Request, target?: string, version: GeminiVersion = "v1beta"): Promise<Response> {
  return withGateway(request, { protocol: "gemini", endpoint: `/${version}/models` }, async (call, key) => {
    const catalog = await gatewayCatalog();
    const { models, aliases } = servedModels(key, catalog);
    if (target === undefined) return jsonAnswer(call, { models: [...models.map((m) => modelResource(m)), ...aliases.map(([a, m]) => modelResource(a, m))] });
    const id = decodeTarget(target);
    checkModelName(id);
    call.model = id;
    const aliasFor = key.plan.aliases.get(id);
    const model = aliasFor ?? id;
    if (!catalog.channels.has(model)) throw new GatewayError("model_not_found", { model: id });
    if (!models.includes(model)) throw new GatewayError("model_not_allowed", { model: id, allowedModels: models });
    return jsonAnswer(call, modelResource(id, aliasFor));
  });
}
