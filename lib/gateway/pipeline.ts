import "server-only";
import { admitRequest, type Admission } from "./admit";
import { resolveModel } from "./authorize-model";
import { gatewayCatalog } from "./catalog";
import { forwardUpstream, type ProxyInput } from "./forward-upstream";
import { withGateway } from "./gateway-call";
import { meterExchange } from "./meter";
import { readJsonBody } from "./read-json-body";
import { checkResponsesBody } from "./responses-body";
import type { Protocol } from "./types";
import { isEmbeddingOperation, type Operation } from "./upstream-request";

/** How long an upstream may take to start answering before the next channel is tried. */
const HEADERS_TIMEOUT_MS = Number(process.env.UPSTREAM_TIMEOUT_MS) > 0 ? Number(process.env.UPSTREAM_TIMEOUT_MS) : 300_000;

/** What a forwarding endpoint is: the client's protocol, the operation, and its name in the log. */
export interface ForwardingSpec {
  protocol: Protocol;
  operation: Operation;
  endpoint: string;
}

/**
 * POST handlers that forward to an upstream: chat completions, responses, embeddings, messages, count_tokens.
 */
export function forwardingHandler(protocol: Protocol, operation: Operation, endpoint: string): (request: Request) => Promise<Response> {
  const spec: ForwardingSpec = { protocol, operation, endpoint };
  return (request) => forward(spec, request);
}

/**
 * Forwards one request through the gateway's steps, in order: authenticate (authenticate.ts, in
 * withGateway, before the handler) →
 * authorize the model (authorize-model.ts) → admit: rate limit and spend reservation (admit.ts) →
 * forward upstream (forward-upstream.ts) → meter (meter.ts). `urlModel` is the model the URL names
 * (Gemini), when the body does not.
 *
 * This is every API request's path, so it avoids waiting where nothing is to be waited for: with
 * the key, the catalog and the in-process limits cached, the only awaits are the request body
 * and the upstream. The log row is written when the exchange ends, after the limits are settled.
 */
export function forward(spec: ForwardingSpec, request: Request, urlModel?: string): Promise<Response> {
  const { protocol, operation } = spec;
  return withGateway(request, spec, async (call, key) => {
    call.model = urlModel;
    let { raw, body } = await readJsonBody(request);
    if (call.model === undefined && typeof body.model === "string") call.model = body.model;
    if (operation === "responses") checkResponsesBody(body);
    const cached = gatewayCatalog();
    const catalog = cached instanceof Promise ? await cached : cached;
    // Model exists and is in scope, then rate and spend limits, then forward.
    const { model, alias, channels } = resolveModel({ body, key, catalog, protocol, urlModel });
    if (alias !== undefined) {
      // A plan alias: served, billed and logged as the plan's model, the alias logged beside it;
      // the upstream and the answer name the model itself, and a header says which it was.
      call.model = model;
      call.requestedModel = alias;
      if (body.model === alias) {
        body = { ...body, model };
        raw = new TextEncoder().encode(JSON.stringify(body));
      }
    }
    const billable = operation !== "count_tokens" && operation !== "gemini_count_tokens";
    const generates = !isEmbeddingOperation(operation);
    const admitted = admitRequest({ key, model, body, bodyBytes: raw.byteLength, catalog, protocol, requestId: call.requestId, billable, generates });
    const admission: Admission = admitted instanceof Promise ? await admitted : admitted;
    const proxyInput: ProxyInput = {
      protocol,
      operation,
      request,
      client: call,
      raw,
      body,
      key,
      catalog,
      model,
      channels,
      requestId: call.requestId,
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      responseHeaders: alias === undefined ? admission.headers : { ...admission.headers, "x-gatehouse-model-alias": `${alias}=${model}` },
    };
    let response: Response;
    try {
      const price = catalog.prices.get(model);
      response = await forwardUpstream(proxyInput, (exchange) => meterExchange(call, admission, price, key.plan.multiplierBps, exchange));
    } catch (err) {
      // Nothing was generated: give back what was reserved.
      await admission.finish(null);
      throw err;
    }
    call.logLater = true;
    return response;
  });
}
