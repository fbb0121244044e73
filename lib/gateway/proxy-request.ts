import "server-only";
import { computeCostMicros } from "@/lib/billing";
import { GatewayError } from "@/lib/errors";
import { logger } from "@/lib/server/logger";
import { allowedModels } from "./authorize-key";
import type { Catalog, CatalogChannel } from "./catalog";
import { circuitAllows, recordChannelFailure, recordChannelSuccess } from "./circuit-breaker";
import type { GatewayKey } from "./load-key";
import { createParser } from "eventsource-parser";
import { createStreamRewriter, estimatedTokenCount, translateAnswer, translateBody, translateUpstreamError, upstreamOperation } from "./cross-protocol";
import { createUsageChunkFilter } from "./openai-usage-filter";
import { callUpstream, classifyUpstreamError, type UpstreamResponse } from "./upstream-client";
import { buildUpstreamTarget, type Operation } from "./upstream-request";
import { estimateTokens, StreamUsageObserver, usageFromBody, type UsageReading } from "./usage";
import type { Protocol } from "./types";

export interface ProxyInput {
  protocol: Protocol;
  operation: Operation;
  request: Request;
  url: URL;
  /** The model from the URL (Gemini); otherwise the body's `model`. */
  urlModel?: string;
  /** The raw body as the client sent it, and its parsed form. */
  raw: Uint8Array;
  body: Record<string, unknown>;
  key: GatewayKey;
  catalog: Catalog;
  requestId: string;
  headersTimeoutMs: number;
}

export interface ProxyOutcome {
  response: Response;
  /** Resolves when the exchange is over (stream finished, failed or the client left). */
  done: Promise<{
    status: number;
    errorCode: string | null;
    usage: UsageReading | null;
    costMicros: bigint;
    channelId: string | null;
    upstreamModel: string | null;
    ttfbMs: number | null;
    stream: boolean;
  }>;
}

const RESPONSE_HEADERS_KEPT = ["content-type"];

/** Model exists, is in the key's scope, and is served in the client's protocol. */
export function resolveModel(input: Pick<ProxyInput, "body" | "key" | "catalog" | "protocol" | "urlModel">): { model: string; channels: CatalogChannel[] } {
  const model = input.urlModel ?? input.body.model;
  if (typeof model !== "string" || model.trim() === "") {
    throw new GatewayError("invalid_request", { reason: "the request has no model", param: "model" });
  }
  const served = input.catalog.channels.get(model);
  if (!served || served.length === 0) throw new GatewayError("model_not_found", { model, param: "model" });
  const allowed = allowedModels(input.key);
  if (!allowed.includes(model)) throw new GatewayError("model_not_allowed", { model, allowedModels: allowed, param: "model" });
  // By priority; at equal priority a channel of the client's own protocol first (no translation).
  const channels = [...served].sort((a, b) => b.priority - a.priority || Number(b.protocol === input.protocol) - Number(a.protocol === input.protocol));
  return { model, channels };
}

/**
 * The body for one channel: the client's bytes unchanged unless the channel renames the model or
 * the gateway needs OpenAI to report usage on a stream. Returns whether a usage chunk was added
 * (and so must be removed from what the client receives).
 */
function bodyFor(input: ProxyInput, channel: CatalogChannel, model: string, stream: boolean): { body: Uint8Array | string; addedUsageChunk: boolean; upstreamModel: string } {
  const upstreamModel = channel.modelMap[model] ?? model;
  if (channel.protocol !== input.protocol) {
    return { body: translateBody(input.protocol, channel.protocol, input.body, { model, upstreamModel, stream }), addedUsageChunk: false, upstreamModel };
  }
  // Gemini names the model in the URL: its body never changes.
  if (input.protocol === "gemini") return { body: input.raw, addedUsageChunk: false, upstreamModel };
  const streamOptions = input.body.stream_options as { include_usage?: unknown } | undefined;
  const addUsage = input.protocol === "openai" && stream && streamOptions?.include_usage !== true;
  if (upstreamModel === model && !addUsage) return { body: input.raw, addedUsageChunk: false, upstreamModel };
  const edited: Record<string, unknown> = { ...input.body, model: upstreamModel };
  if (addUsage) edited.stream_options = { ...(streamOptions ?? {}), include_usage: true };
  return { body: JSON.stringify(edited), addedUsageChunk: addUsage, upstreamModel };
}

function responseHeaders(upstream: UpstreamResponse, requestId: string, protocol: Protocol): Headers {
  const headers = new Headers();
  for (const name of RESPONSE_HEADERS_KEPT) {
    const value = upstream.headers[name];
    if (typeof value === "string") headers.set(name, value);
  }
  headers.set("x-request-id", requestId);
  if (protocol === "anthropic") headers.set("request-id", requestId);
  headers.set("cache-control", "no-store");
  return headers;
}

async function discard(upstream: UpstreamResponse): Promise<void> {
  try {
    await upstream.body.dump({ limit: 64 * 1024 });
  } catch {
    // the connection is going away anyway
  }
}

/**
 * Sends the request to the model's channels in order until one answers: connect errors, timeouts,
 * 5xx and 429 before the first byte move on to the next channel (and count against its circuit).
 * A stream is passed through chunk by chunk as it arrives; the client leaving aborts the upstream.
 */
export async function proxyRequest(input: ProxyInput): Promise<ProxyOutcome> {
  const { model, channels } = resolveModel(input);
  const stream = input.operation === "stream_generate" || ((input.operation === "chat" || input.operation === "messages") && input.body.stream === true);
  const started = performance.now();
  const upstreamAbort = new AbortController();
  const onClientAbort = () => upstreamAbort.abort();
  input.request.signal.addEventListener("abort", onClientAbort, { once: true });

  let lastFailure: { kind: "timeout" | "error"; retryAfter?: number } = { kind: "error" };
  const candidates = channels.filter((c) => circuitAllows(c.id));
  // When every channel's circuit is open, try them anyway rather than fail without asking.
  let refusal: GatewayError | undefined;
  let attempted = false;
  for (const channel of candidates.length ? candidates : channels) {
    const sameProtocol = channel.protocol === input.protocol;
    const operation = sameProtocol ? input.operation : upstreamOperation(input.operation, channel.protocol, stream);
    if (operation === null) {
      // Token counting on a channel whose protocol cannot count: answer with a local estimate.
      input.request.signal.removeEventListener("abort", onClientAbort);
      const headers = new Headers({ "content-type": "application/json", "x-request-id": input.requestId, "cache-control": "no-store", "x-gatehouse-estimate": "true" });
      return {
        response: new Response(estimatedTokenCount(input.raw, input.protocol), { status: 200, headers }),
        done: Promise.resolve({ status: 200, errorCode: null, usage: null, costMicros: 0n, channelId: channel.id, upstreamModel: null, ttfbMs: 0, stream: false }),
      };
    }
    let prepared: ReturnType<typeof bodyFor>;
    try {
      prepared = bodyFor(input, channel, model, stream);
    } catch (err) {
      // This channel's protocol cannot take the request; another channel's may.
      if (!(err instanceof GatewayError)) throw err;
      refusal ??= err;
      continue;
    }
    const target = buildUpstreamTarget(channel, operation, input.request.headers, input.url, prepared.upstreamModel, sameProtocol);
    attempted = true;
    let upstream: UpstreamResponse;
    try {
      upstream = await callUpstream({ ...target, body: prepared.body, signal: upstreamAbort.signal, headersTimeoutMs: input.headersTimeoutMs });
    } catch (err) {
      const kind = classifyUpstreamError(err);
      if (kind === "aborted" || input.request.signal.aborted) throw new ClientGoneError();
      recordChannelFailure(channel.id);
      lastFailure = { kind: kind === "timeout" ? "timeout" : "error" };
      logger.warn({ requestId: input.requestId, channel: channel.name, kind, err: (err as Error).message }, "upstream unreachable; trying the next channel");
      continue;
    }
    if (upstream.statusCode >= 500 || upstream.statusCode === 429) {
      recordChannelFailure(channel.id);
      const retryAfter = Number(upstream.headers["retry-after"]);
      lastFailure = { kind: "error", retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined };
      logger.warn({ requestId: input.requestId, channel: channel.name, status: upstream.statusCode }, "upstream failed; trying the next channel");
      await discard(upstream);
      continue;
    }
    recordChannelSuccess(channel.id);
    const base = { channelId: channel.id, upstreamModel: prepared.upstreamModel, stream };
    const headers = responseHeaders(upstream, input.requestId, input.protocol);
    const estimatedInput = estimateTokens(input.raw.byteLength);

    if (!stream || upstream.statusCode !== 200) {
      // Whole answers (and upstream refusals such as 400) are small: read, meter, pass on unchanged.
      const bytes = new Uint8Array(await upstream.body.arrayBuffer());
      const ttfbMs = Math.round(performance.now() - started);
      input.request.signal.removeEventListener("abort", onClientAbort);
      let usage: UsageReading | null = null;
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        parsed = undefined;
      }
      let answer: Uint8Array<ArrayBuffer> = bytes;
      if (upstream.statusCode === 200) {
        // Usage in the upstream's own protocol: exact whatever the client speaks.
        const counts = operation === "count_tokens" || operation === "gemini_count_tokens" ? null : usageFromBody(channel.protocol, parsed);
        usage = counts ? { ...counts, estimated: false } : null;
        if (!sameProtocol) {
          const translated = translateAnswer(channel.protocol, input.protocol, parsed, { model, requestId: input.requestId });
          if (!translated) throw new GatewayError("upstream_error");
          answer = translated;
          headers.set("content-type", "application/json");
        }
      } else if (!sameProtocol) {
        answer = translateUpstreamError(upstream.statusCode, parsed, input.protocol);
        headers.set("content-type", "application/json");
      }
      const costMicros = usage ? cost(input, model, usage) : 0n;
      return {
        response: new Response(answer, { status: upstream.statusCode, headers }),
        done: Promise.resolve({ ...base, status: upstream.statusCode, errorCode: null, usage, costMicros, ttfbMs }),
      };
    }

    const clientWantsArray = input.protocol === "gemini" && input.url.searchParams.get("alt") !== "sse";
    const observer = new StreamUsageObserver(channel.protocol, estimatedInput, sameProtocol && clientWantsArray ? "json-array" : "sse");
    const filter = prepared.addedUsageChunk ? createUsageChunkFilter() : null;
    // Across protocols the upstream's events are rewritten one by one as they arrive.
    let pendingOut: Uint8Array[] = [];
    const rewriter = sameProtocol
      ? null
      : createStreamRewriter(channel.protocol, input.protocol, {
          model,
          requestId: input.requestId,
          includeUsage: (input.body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
          jsonArray: clientWantsArray,
        });
    const sseParser = rewriter
      ? createParser({
          onEvent: (ev) => {
            const out = rewriter.push({ event: ev.event, data: ev.data });
            if (out) pendingOut.push(out);
          },
        })
      : null;
    const textDecoder = new TextDecoder();
    if (rewriter) headers.set("content-type", clientWantsArray ? "application/json" : "text/event-stream");
    const iterator = upstream.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let ttfbMs: number | null = null;
    let finish!: (value: { status: number; errorCode: string | null }) => void;
    const finished = new Promise<{ status: number; errorCode: string | null }>((resolve) => (finish = resolve));
    let settled = false;
    const settle = (status: number, errorCode: string | null) => {
      if (settled) return;
      settled = true;
      input.request.signal.removeEventListener("abort", onClientAbort);
      finish({ status, errorCode });
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { value, done } = await iterator.next();
          if (done) {
            for (const rest of filter?.flush() ?? []) controller.enqueue(rest);
            if (rewriter) {
              sseParser?.feed(textDecoder.decode());
              for (const part of pendingOut) controller.enqueue(part);
              const tail = rewriter.end();
              if (tail) controller.enqueue(tail);
            }
            controller.close();
            settle(200, null);
            return;
          }
          ttfbMs ??= Math.round(performance.now() - started);
          observer.feed(value);
          if (rewriter) {
            sseParser?.feed(textDecoder.decode(value, { stream: true }));
            const out = pendingOut;
            pendingOut = [];
            for (const part of out) controller.enqueue(part);
          } else if (filter) for (const part of filter.push(value)) controller.enqueue(part);
          else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
        } catch (err) {
          // The upstream dropped the connection mid-stream: end the client's stream as an error
          // and bill what was generated.
          logger.warn({ requestId: input.requestId, channel: channel.name, err: (err as Error).message }, "upstream stream broke");
          controller.error(err);
          settle(502, "upstream_error");
        }
      },
      cancel() {
        // The client went away: stop the upstream generation now.
        upstreamAbort.abort();
        upstream.body.destroy();
        settle(499, "client_closed");
      },
    });
    const done = finished.then(({ status, errorCode }) => {
      const usage = observer.reading();
      return { ...base, status, errorCode, usage, costMicros: cost(input, model, usage), ttfbMs };
    });
    return { response: new Response(body, { status: 200, headers }), done };
  }

  input.request.signal.removeEventListener("abort", onClientAbort);
  if (refusal && !attempted) throw refusal;
  if (lastFailure.kind === "timeout") throw new GatewayError("upstream_timeout", { timeoutSeconds: Math.round(input.headersTimeoutMs / 1000) });
  throw new GatewayError("upstream_error", { retryAfterSeconds: lastFailure.retryAfter });
}

function cost(input: ProxyInput, model: string, usage: UsageReading): bigint {
  const price = input.catalog.prices.get(model);
  return price ? computeCostMicros(usage, price, input.key.plan.multiplierBps) : 0n;
}

/** The client disconnected before an upstream answered: nothing to send, nothing to bill. */
export class ClientGoneError extends Error {
  constructor() {
    super("client closed the request");
    this.name = "ClientGoneError";
  }
}
