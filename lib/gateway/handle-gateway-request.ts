import "server-only";
import { getSecretKeys } from "@/lib/credentials";
import { getDatabase, getDb } from "@/lib/db";
import { errorResponse, GatewayError, toGatewayError } from "@/lib/errors";
import { clientIpFromHeaders } from "@/lib/server/client-ip";
import { logger } from "@/lib/server/logger";
import { authorizeKey } from "./authorize-key";
import { getCatalog, type Catalog } from "./catalog";
import { extractCredential } from "./extract-credential";
import type { GatewayKey } from "./load-key";
import { admitRequest, type Admission } from "./limits";
import { ClientGoneError, proxyRequest, resolveModel, type Exchange, type ProxyInput } from "./proxy-request";
import { newRequestId } from "./request-id";
import type { Protocol } from "./types";
import type { Operation } from "./upstream-request";
import { recordUsage, type UsageRecord } from "./usage-writer";

/** Largest request body accepted (long contexts with images fit; runaway uploads do not). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** How long an upstream may take to start answering before the next channel is tried. */
const HEADERS_TIMEOUT_MS = Number(process.env.UPSTREAM_TIMEOUT_MS) > 0 ? Number(process.env.UPSTREAM_TIMEOUT_MS) : 300_000;

/**
 * One /v1 request on its way through the gateway. A class rather than an object literal with a
 * getter: a literal with an accessor is built slowly and gets a shape of its own, and this object
 * is read all along the request's path.
 */
export class GatewayCall {
  readonly requestId = newRequestId();
  readonly clientIp: string | null;
  /** performance.now() at arrival, for the latency. */
  readonly started = performance.now();
  /** When the request arrived (epoch ms): its log row's time, so it lands in the month it was reserved in. */
  readonly startedAt = Date.now();
  /** The authenticated key, once known: the log row is linked to it. */
  key: GatewayKey | undefined = undefined;
  /** The model asked for, once known. */
  model: string | undefined = undefined;
  /** Set by a handler whose log row is written when the exchange ends (logCall), not on return. */
  logLater = false;
  private parsedUrl: URL | undefined = undefined;

  constructor(
    readonly request: Request,
    readonly protocol: Protocol,
    readonly endpoint: string,
  ) {
    this.clientIp = clientIpFromHeaders(request.headers);
  }

  /** The request URL, parsed when first read: OpenAI requests never need it. */
  get url(): URL {
    return (this.parsedUrl ??= new URL(this.request.url));
  }
}

/**
 * Common frame of every /v1 handler: request id, error shape, and one log row for each request
 * (written here on return or on error, or by the handler itself when it set `logLater`).
 */
export async function withGateway(request: Request, options: { protocol: Protocol; endpoint: string }, handler: (call: GatewayCall) => Promise<Response>): Promise<Response> {
  const call = new GatewayCall(request, options.protocol, options.endpoint);
  try {
    const response = await handler(call);
    if (!call.logLater) logCall(call, { status: response.status });
    return response;
  } catch (err) {
    const model = typeof call.model === "string" ? call.model.slice(0, 200) : null;
    if (err instanceof ClientGoneError) {
      logCall(call, { status: 499, errorCode: "client_closed", model });
      return new Response(null, { status: 499 });
    }
    const error = toGatewayError(err);
    if (error.code === "internal_error") logger.error({ err, requestId: call.requestId, endpoint: call.endpoint }, "gateway request failed");
    logCall(call, { status: error.status, errorCode: error.code, model });
    return errorResponse(error, call.protocol, call.requestId);
  }
}

/** Queues the call's log row (the usage writer batches it to the database). */
export function logCall(call: GatewayCall, log: Partial<UsageRecord>): void {
  const key = call.key;
  // One object of a fixed shape, not defaults spread with the outcome: this runs for every request.
  recordUsage(getDatabase, {
    requestId: call.requestId,
    apiKeyId: key?.id ?? null,
    customerId: key?.order.customerId ?? null,
    orderId: key?.order.id ?? null,
    endpoint: call.endpoint,
    protocol: call.protocol,
    model: log.model ?? null,
    upstreamModel: log.upstreamModel ?? null,
    stream: log.stream ?? false,
    status: log.status ?? 200,
    errorCode: log.errorCode ?? null,
    inputTokens: log.inputTokens ?? 0,
    outputTokens: log.outputTokens ?? 0,
    cacheReadTokens: log.cacheReadTokens ?? 0,
    cacheWriteTokens: log.cacheWriteTokens ?? 0,
    costMicros: log.costMicros ?? 0n,
    estimated: log.estimated ?? false,
    latencyMs: Math.round(performance.now() - call.started),
    ttfbMs: log.ttfbMs ?? null,
    channelId: log.channelId ?? null,
    clientIp: call.clientIp,
    createdAt: new Date(call.startedAt),
  });
}

/**
 * Authenticates the call's key (errors carry no key: none was accepted) and links the call to it.
 * A key seen recently comes back at once, otherwise as a promise.
 */
export function authenticate(call: GatewayCall): GatewayKey | Promise<GatewayKey> {
  const key = authorizeKey(getDb(), {
    credential: extractCredential(call.request.headers, call.protocol === "gemini" ? call.url : null, call.protocol),
    clientIp: call.clientIp,
    pepper: getSecretKeys().keyPepper,
    nowMs: call.startedAt,
  });
  if (key instanceof Promise) return key.then((k) => (call.key = k));
  call.key = key;
  return key;
}

/** Channels and prices: at once while cached, otherwise as a promise. */
export function gatewayCatalog(): Catalog | Promise<Catalog> {
  return getCatalog(getDb(), getSecretKeys().channelKey);
}

const utf8 = new TextDecoder();

/** Reads and parses a JSON object body within the size limit. */
export async function readJsonBody(request: Request): Promise<{ raw: Uint8Array; body: Record<string, unknown> }> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw new GatewayError("request_too_large", { maxBytes: MAX_BODY_BYTES });
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(await request.arrayBuffer());
  } catch (err) {
    // The client went away while sending its body: nothing to answer, nothing to bill.
    if (request.signal.aborted) throw new ClientGoneError();
    throw err;
  }
  if (raw.byteLength > MAX_BODY_BYTES) throw new GatewayError("request_too_large", { maxBytes: MAX_BODY_BYTES });
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(raw));
  } catch {
    throw new GatewayError("invalid_request", { reason: "the body is not valid JSON" });
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new GatewayError("invalid_request", { reason: "the body must be a JSON object" });
  return { raw, body: body as Record<string, unknown> };
}

/** What a forwarding endpoint is: the client's protocol, the operation, and its name in the log. */
export interface ForwardingSpec {
  protocol: Protocol;
  operation: Operation;
  endpoint: string;
}

/**
 * POST handlers that forward to an upstream: chat completions, messages, count_tokens.
 */
export function forwardingHandler(protocol: Protocol, operation: Operation, endpoint: string): (request: Request) => Promise<Response> {
  const spec: ForwardingSpec = { protocol, operation, endpoint };
  return (request) => forward(spec, request);
}

/**
 * Forwards one request: key, body, model, limits, upstream. `urlModel` is the model the URL names
 * (Gemini), when the body does not.
 *
 * This is every API request's path, so it avoids waiting where nothing is to be waited for: with
 * the key, the catalog and the in-process limits cached, the only awaits are the request body
 * and the upstream. The log row is written when the exchange ends, after the limits are settled.
 */
export function forward(spec: ForwardingSpec, request: Request, urlModel?: string): Promise<Response> {
  const { protocol, operation } = spec;
  return withGateway(request, spec, async (call) => {
    const authorized = authenticate(call);
    const key = authorized instanceof Promise ? await authorized : authorized;
    call.model = urlModel;
    const { raw, body } = await readJsonBody(request);
    if (call.model === undefined && typeof body.model === "string") call.model = body.model;
    const cached = gatewayCatalog();
    const catalog = cached instanceof Promise ? await cached : cached;
    // Model exists and is in scope, then rate and spend limits, then forward.
    const { model, channels } = resolveModel({ body, key, catalog, protocol, urlModel });
    const billable = operation !== "count_tokens" && operation !== "gemini_count_tokens";
    const admitted = admitRequest({ key, model, body, bodyBytes: raw.byteLength, catalog, protocol, requestId: call.requestId, billable });
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
      responseHeaders: admission.headers,
    };
    let response: Response;
    try {
      response = await proxyRequest(proxyInput, (exchange) => settle(call, admission, exchange));
    } catch (err) {
      // Nothing was generated: give back what was reserved.
      await admission.finish(null);
      throw err;
    }
    call.logLater = true;
    return response;
  });
}

/** The exchange is over: charge the limits, then queue the log row (a balance never lags a logged cost). */
function settle(call: GatewayCall, admission: Admission, d: Exchange): void {
  const usage = d.usage;
  const log: Partial<UsageRecord> = {
    model: call.model ?? null,
    upstreamModel: d.upstreamModel,
    stream: d.stream,
    status: d.status,
    errorCode: d.errorCode,
    channelId: d.channelId,
    ttfbMs: d.ttfbMs,
    costMicros: d.costMicros,
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cacheReadTokens: usage?.cacheReadTokens ?? 0,
    cacheWriteTokens: usage?.cacheWriteTokens ?? 0,
    estimated: usage?.estimated ?? false,
  };
  const tokens = (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0) + (usage?.cacheReadTokens ?? 0) + (usage?.cacheWriteTokens ?? 0);
  const charged = admission.finish({ costMicros: d.costMicros, tokens });
  if (charged instanceof Promise) void charged.then(() => logCall(call, log));
  else logCall(call, log);
}
