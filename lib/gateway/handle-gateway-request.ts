import "server-only";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { errorResponse, GatewayError, toGatewayError } from "@/lib/errors";
import { clientIpFromHeaders } from "@/lib/server/client-ip";
import { logger } from "@/lib/server/logger";
import { authorizeKey } from "./authorize-key";
import { getCatalog } from "./catalog";
import { extractCredential } from "./extract-credential";
import type { GatewayKey } from "./load-key";
import { admitRequest, type Admission } from "./limits";
import { ClientGoneError, proxyRequest, resolveModel } from "./proxy-request";
import { newRequestId } from "./request-id";
import type { Protocol } from "./types";
import type { Operation } from "./upstream-request";
import { recordUsage, type UsageRecord } from "./usage-writer";

/** Largest request body accepted (long contexts with images fit; runaway uploads do not). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** How long an upstream may take to start answering before the next channel is tried. */
const HEADERS_TIMEOUT_MS = Number(process.env.UPSTREAM_TIMEOUT_MS) > 0 ? Number(process.env.UPSTREAM_TIMEOUT_MS) : 300_000;

export interface GatewayCall {
  request: Request;
  protocol: Protocol;
  endpoint: string;
  requestId: string;
  url: URL;
  clientIp: string | null;
  started: number;
  /** When the request arrived: its log row's time, so it lands in the month it was reserved in. */
  startedAt: Date;
}

/** Common frame of every /v1 handler: request id, error shape, and a log row for each request. */
export async function withGateway(
  request: Request,
  options: { protocol: Protocol; endpoint: string },
  handler: (call: GatewayCall) => Promise<{ response: Response; key?: GatewayKey; log?: Promise<Partial<UsageRecord>> | Partial<UsageRecord> }>,
): Promise<Response> {
  const call: GatewayCall = {
    request,
    protocol: options.protocol,
    endpoint: options.endpoint,
    requestId: newRequestId(),
    url: new URL(request.url),
    clientIp: clientIpFromHeaders(request.headers),
    started: performance.now(),
    startedAt: new Date(),
  };
  let key: GatewayKey | undefined;
  try {
    const result = await handler(call);
    key = result.key;
    void Promise.resolve(result.log ?? {}).then((log) => writeLog(call, key, { status: result.response.status, ...log }));
    return result.response;
  } catch (err) {
    // Handlers attach what they had learned (key, model) to the error, so the log row keeps it.
    const context = err && typeof err === "object" ? (err as { key?: GatewayKey; model?: string }) : {};
    const model = typeof context.model === "string" ? context.model.slice(0, 200) : null;
    if (err instanceof ClientGoneError) {
      writeLog(call, context.key, { status: 499, errorCode: "client_closed", model });
      return new Response(null, { status: 499 });
    }
    const error = toGatewayError(err);
    if (error.code === "internal_error") logger.error({ err, requestId: call.requestId, endpoint: call.endpoint }, "gateway request failed");
    writeLog(call, context.key, { status: error.status, errorCode: error.code, model });
    return errorResponse(error, call.protocol, call.requestId);
  }
}

function writeLog(call: GatewayCall, key: GatewayKey | undefined, log: Partial<UsageRecord>): void {
  recordUsage(getDb, {
    requestId: call.requestId,
    apiKeyId: key?.id ?? null,
    customerId: key?.order.customerId ?? null,
    orderId: key?.order.id ?? null,
    endpoint: call.endpoint,
    protocol: call.protocol,
    model: null,
    upstreamModel: null,
    stream: false,
    status: 200,
    errorCode: null,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costMicros: 0n,
    estimated: false,
    ttfbMs: null,
    channelId: null,
    clientIp: call.clientIp,
    createdAt: call.startedAt,
    ...log,
    latencyMs: Math.round(performance.now() - call.started),
  });
}

/** Authenticates the call's key; errors carry no key (none was accepted). */
export async function authenticate(call: GatewayCall): Promise<GatewayKey> {
  return authorizeKey(getDb(), {
    credential: extractCredential(call.request.headers, call.url, call.protocol),
    clientIp: call.clientIp,
    pepper: getSecretKeys().keyPepper,
  });
}

/** Reads and parses a JSON object body within the size limit. */
export async function readJsonBody(request: Request): Promise<{ raw: Uint8Array; body: Record<string, unknown> }> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw new GatewayError("request_too_large", { maxBytes: MAX_BODY_BYTES });
  const raw = new Uint8Array(await request.arrayBuffer());
  if (raw.byteLength > MAX_BODY_BYTES) throw new GatewayError("request_too_large", { maxBytes: MAX_BODY_BYTES });
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new GatewayError("invalid_request", { reason: "the body is not valid JSON" });
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new GatewayError("invalid_request", { reason: "the body must be a JSON object" });
  return { raw, body: body as Record<string, unknown> };
}

/** POST handlers that forward to an upstream: chat completions, messages, count_tokens. */
export function forwardingHandler(protocol: Protocol, operation: Operation, endpoint: string, urlModel?: (call: GatewayCall) => string) {
  const billable = operation !== "count_tokens" && operation !== "gemini_count_tokens";
  return (request: Request) =>
    withGateway(request, { protocol, endpoint }, async (call) => {
      const key = await authenticate(call);
      let model: string | undefined = urlModel?.(call);
      let admission: Admission | undefined;
      try {
        const { raw, body } = await readJsonBody(request);
        if (model === undefined && typeof body.model === "string") model = body.model;
        const catalog = await getCatalog(getDb(), getSecretKeys().channelKey);
        const proxyInput = {
          protocol,
          operation,
          request,
          url: call.url,
          raw,
          body,
          key,
          catalog,
          requestId: call.requestId,
          headersTimeoutMs: HEADERS_TIMEOUT_MS,
          urlModel: urlModel ? model : undefined,
        };
        // Model exists and is in scope, then rate and spend limits, then forward.
        const resolved = resolveModel(proxyInput);
        admission = await admitRequest({ key, model: resolved.model, body, catalog, protocol, requestId: call.requestId, billable });
        const outcome = await proxyRequest(proxyInput);
        for (const [name, value] of Object.entries(admission.headers)) outcome.response.headers.set(name, value);
        const admitted = admission;
        return {
          response: outcome.response,
          key,
          log: outcome.done.then(async (d) => {
            const tokens = (d.usage?.inputTokens ?? 0) + (d.usage?.outputTokens ?? 0) + (d.usage?.cacheReadTokens ?? 0) + (d.usage?.cacheWriteTokens ?? 0);
            // The store is charged before the log row is queued, so a balance read never lags a logged cost.
            await admitted.finish({ costMicros: d.costMicros, tokens });
            return {
              model: model ?? null,
              upstreamModel: d.upstreamModel,
              stream: d.stream,
              status: d.status,
              errorCode: d.errorCode,
              channelId: d.channelId,
              ttfbMs: d.ttfbMs,
              costMicros: d.costMicros,
              inputTokens: d.usage?.inputTokens ?? 0,
              outputTokens: d.usage?.outputTokens ?? 0,
              cacheReadTokens: d.usage?.cacheReadTokens ?? 0,
              cacheWriteTokens: d.usage?.cacheWriteTokens ?? 0,
              estimated: d.usage?.estimated ?? false,
            };
          }),
        };
      } catch (err) {
        // Nothing was generated: give back what was reserved.
        await admission?.finish(null);
        // Keep the key and model with the error so the log row is linked to them.
        if (err && typeof err === "object") Object.assign(err, { key, model });
        throw err;
      }
    });
}
