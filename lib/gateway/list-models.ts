import "server-only";
import type { Provider } from "@/lib/db/types";
import { GatewayError } from "@/lib/errors";
import { checkModelName, keyAllowsModel, servedModels } from "./authorize-model";
import { gatewayCatalog } from "./catalog";
import { sharedPathProtocol } from "./client-protocol";
import { geminiModels, targetSegment } from "./gemini-routes";
import { withGateway, type GatewayCall } from "./gateway-call";
import { jsonAnswer } from "./json-answer";
import type { GatewayKey } from "./load-key";

// GET /v1/models and GET /v1/models/{model} — the models this key may call, in OpenAI's shape, or
// Anthropic's when the client sends `anthropic-version` (as the Anthropic SDK and Claude Code do),
// or Gemini's when the key comes as `x-goog-api-key` or `?key=` (Google's Gen AI SDK on v1).

// A plan alias is listed under its own id and says which model serves it (`alias_for`, and in
// Anthropic's display name), so a client that lists models sees it is not a model of its own.
function openaiModel(id: string, key: GatewayKey, provider: Provider | undefined, aliasFor?: string) {
  return {
    id,
    object: "model",
    created: Math.floor(key.order.accessStart.getTime() / 1000),
    owned_by: provider?.toLowerCase() ?? "gatehouse",
    ...(aliasFor === undefined ? {} : { alias_for: aliasFor }),
  };
}

function anthropicModel(id: string, key: GatewayKey, aliasFor?: string) {
  return {
    type: "model",
    id,
    display_name: aliasFor === undefined ? id : `${id} (served by ${aliasFor})`,
    created_at: key.order.accessStart.toISOString(),
    ...(aliasFor === undefined ? {} : { alias_for: aliasFor }),
  };
}

/** Anthropic's answers carry the request id under its own name too. */
function headersFor(call: GatewayCall, anthropic: boolean): [string, string][] {
  return anthropic ? [["request-id", call.requestId]] : [];
}

export function listModels(request: Request): Promise<Response> {
  const protocol = sharedPathProtocol(request.headers, new URL(request.url));
  if (protocol === "gemini") return geminiModels(request, undefined, "v1");
  const anthropic = protocol === "anthropic";
  return withGateway(request, { protocol, endpoint: "/v1/models" }, async (call, key) => {
    const catalog = await gatewayCatalog();
    const served = servedModels(key, catalog);
    const entries: [id: string, aliasFor: string | undefined][] = [...served.models.map((m): [string, undefined] => [m, undefined]), ...served.aliases];
    const body = anthropic
      ? {
          data: entries.map(([id, aliasFor]) => anthropicModel(id, key, aliasFor)),
          has_more: false,
          first_id: entries[0]?.[0] ?? null,
          last_id: entries.at(-1)?.[0] ?? null,
        }
      : { object: "list", data: entries.map(([id, aliasFor]) => openaiModel(id, key, catalog.prices.get(aliasFor ?? id)?.provider, aliasFor)) };
    return jsonAnswer(call, body, headersFor(call, anthropic));
  });
}

/**
 * GET /v1/models/{model}: one model of the key's, in the same shapes as the list. A model the key
 * may not use is answered as one that does not exist (404 model_not_found), as OpenAI and
 * Anthropic answer a model an account cannot see; the list names the ones it can.
 * `target` is the path segment as sent (percent-encoded).
 */
export function retrieveModel(request: Request, target: string = targetSegment(new URL(request.url))): Promise<Response> {
  const protocol = sharedPathProtocol(request.headers, new URL(request.url));
  if (protocol === "gemini") return geminiModels(request, target, "v1");
  const anthropic = protocol === "anthropic";
  return withGateway(request, { protocol, endpoint: "/v1/models/{model}" }, async (call, key) => {
    let id: string;
    try {
      id = decodeURIComponent(target);
    } catch {
      throw new GatewayError("invalid_request", { reason: "the model in the path is not valid percent-encoded UTF-8", param: "model" });
    }
    checkModelName(id);
    call.model = id;
    const catalog = await gatewayCatalog();
    const aliasFor = key.plan.aliases.get(id);
    const model = aliasFor ?? id;
    if (!catalog.channels.has(model) || !keyAllowsModel(key, model)) throw new GatewayError("model_not_found", { model: id, param: "model" });
    const body = anthropic ? anthropicModel(id, key, aliasFor) : openaiModel(id, key, catalog.prices.get(model)?.provider, aliasFor);
    return jsonAnswer(call, body, headersFor(call, anthropic));
  });
}
