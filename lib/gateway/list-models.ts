import "server-only";
import { authenticate } from "./authenticate";
import { allowedModels } from "./authorize-model";
import { gatewayCatalog } from "./catalog";
import { withGateway } from "./gateway-call";

// GET /v1/models — the models this key may call, in OpenAI's list shape, or Anthropic's when the
// client sends `anthropic-version` (as the Anthropic SDK and Claude Code do).
export function listModels(request: Request): Promise<Response> {
  const anthropic = request.headers.has("anthropic-version");
  return withGateway(request, { protocol: anthropic ? "anthropic" : "openai", endpoint: "/v1/models" }, async (call) => {
    const key = await authenticate(call);
    const catalog = await gatewayCatalog();
    const models = allowedModels(key).filter((m) => catalog.channels.has(m));
    const created = Math.floor(key.order.accessStart.getTime() / 1000);
    const body = anthropic
      ? {
          data: models.map((id) => ({ type: "model", id, display_name: id, created_at: key.order.accessStart.toISOString() })),
          has_more: false,
          first_id: models[0] ?? null,
          last_id: models.at(-1) ?? null,
        }
      : {
          object: "list",
          data: models.map((id) => ({ id, object: "model", created, owned_by: catalog.prices.get(id)?.provider.toLowerCase() ?? "gatehouse" })),
        };
    const headers = { "x-request-id": call.requestId, "cache-control": "no-store", ...(anthropic ? { "request-id": call.requestId } : {}) };
    return Response.json(body, { headers });
  });
}
