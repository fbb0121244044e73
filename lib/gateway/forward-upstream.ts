import "server-only";
import type { ServerResponse } from "node:http";
import { clientSignal as clientSignalOf, hostedBytes, hostedResponse, type ClientSignal } from "@/lib/server/node-host";
import { GatewayError } from "@/lib/errors";
import { logger } from "@/lib/server/logger";
import type { Catalog, CatalogChannel } from "./catalog";
import { attemptOrder, recordChannelFailure, recordChannelSuccess } from "./circuit-breaker";
import { measurePrompt } from "./admit";
import type { GatewayKey } from "./load-key";
import { createParser } from "eventsource-parser";
import { ClientGoneError } from "./gateway-call";
import {
  clientWire,
  createStreamRewriter,
  droppedToolsHeader,
  estimatedTokenCount,
  responsesContext,
  translateAnswer,
  translateBody,
  translateUpstreamError,
  upstreamOperation,
} from "./cross-protocol";
import { callUpstream, classifyUpstreamError, describeUpstreamFailure, type UpstreamResponse } from "./upstream-client";
import { buildUpstreamTarget, isEmbeddingOperation, type Operation } from "./upstream-request";
import { estimateTokens, isJsonSpace, StreamUsageObserver, usageFromBody, usageFromText, type UsageReading } from "./usage";
import type { Protocol } from "./types";
import type { FailedAttempt } from "./usage-writer";

export interface ProxyInput {
  protocol: Protocol;
  operation: Operation;
  request: Request;
  /** Holds the client's URL, parsed only where its query matters (Anthropic's beta flag, Gemini's framing). */
  client: { readonly url: URL; failover: FailedAttempt[] | null };
  /** The raw body as the client sent it, and its parsed form. */
  raw: Uint8Array;
  body: Record<string, unknown>;
  key: GatewayKey;
  catalog: Catalog;
  /** The model and its channels in the order to try them, as resolveModel (authorize-model.ts) found them. */
  model: string;
  channels: CatalogChannel[];
  requestId: string;
  headersTimeoutMs: number;
  /** Headers every answer carries besides the gateway's own (the rate-limit headers). */
  responseHeaders: Record<string, string>;
}

/** How an exchange ended: what metering needs (the tokens counted, not yet priced). */
export interface Exchange {
  status: number;
  errorCode: string | null;
  usage: UsageReading | null;
  channelId: string | null;
  /** The answering channel's name (metrics label it by name). */
  channelName: string | null;
  upstreamModel: string | null;
  ttfbMs: number | null;
  stream: boolean;
}

/**
 * The body for one channel: the client's bytes unchanged unless the channel renames the model or
 * the gateway needs OpenAI to report usage on a stream. Returns whether a usage chunk was added
 * (and so must be removed from what the client receives).
 */
function bodyFor(
  input: ProxyInput,
  channel: CatalogChannel,
  model: string,
  stream: boolean,
): { body: Uint8Array | string; addedUsageChunk: boolean; upstreamModel: string } {
  const upstreamModel = channel.modelMap[model] ?? model;
  if (channel.protocol !== input.protocol) {
    const body = translateBody(clientWire(input.protocol, input.operation), channel.protocol, input.body, {
      model,
      upstreamModel,
      stream,
      operation: input.operation,
    });
    return { body, addedUsageChunk: false, upstreamModel };
  }
  if (input.protocol === "gemini") {
    // Gemini names the model in the URL: its body never changes, but for a batch of embeddings,
    // whose every request names the model again, on a channel that calls it by another name.
    if (input.operation === "batch_embed_contents" && upstreamModel !== model && Array.isArray(input.body.requests)) {
      const requests = (input.body.requests as unknown[]).map((r) => (r && typeof r === "object" ? { ...r, model: `models/${upstreamModel}` } : r));
      return { body: JSON.stringify({ ...input.body, requests }), addedUsageChunk: false, upstreamModel };
    }
    return { body: input.raw, addedUsageChunk: false, upstreamModel };
  }
  const streamOptions = input.body.stream_options as { include_usage?: unknown } | undefined;
  // A Responses stream always ends with its usage (response.completed).
  const addUsage = input.operation === "chat" && stream && streamOptions?.include_usage !== true;
  if (upstreamModel === model && !addUsage) return { body: input.raw, addedUsageChunk: false, upstreamModel };
  if (upstreamModel === model && streamOptions === undefined) {
    // The client's bytes with the option spliced in: cheaper than serialising the body again, and
    // every other byte stays as sent.
    const spliced = withUsageOption(input.raw);
    if (spliced) return { body: spliced, addedUsageChunk: true, upstreamModel };
  }
  const edited: Record<string, unknown> = { ...input.body, model: upstreamModel };
  if (addUsage) edited.stream_options = { ...(streamOptions ?? {}), include_usage: true };
  return { body: JSON.stringify(edited), addedUsageChunk: addUsage, upstreamModel };
}

const USAGE_OPTION = Buffer.from('"stream_options":{"include_usage":true},');

/** `{"stream_options":{"include_usage":true},…` from a body without the option; null if not a non-empty object. */
export function withUsageOption(raw: Uint8Array): Buffer | null {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  let open = 0;
  while (isJsonSpace(bytes[open])) open++;
  if (bytes[open] !== 0x7b) return null;
  let next = open + 1;
  while (isJsonSpace(bytes[next])) next++;
  if (next >= bytes.length || bytes[next] === 0x7d) return null;
  return Buffer.concat([bytes.subarray(0, open + 1), USAGE_OPTION, bytes.subarray(open + 1)]);
}

/**
 * The answer's headers: the upstream's content type, the request id, `no-transform`, and the
 * caller's extras.
 *
 * `Cache-Control: no-transform` keeps the answer as the upstream sent it. Without it Next gzips
 * answers for every client that accepts gzip (the official SDKs and Claude Code all do), streams
 * included: a compressor per open stream (some 300 KB each), work on every chunk, and bytes that
 * are no longer the upstream's. Proxies and CDNs honour it as well.
 */
function responseHeaders(input: ProxyInput, contentType: unknown, extra: [string, string][] = []): [string, string][] {
  // A list of pairs: the cheapest form to build and for Response to take.
  const headers: [string, string][] = [
    ["x-request-id", input.requestId],
    ["cache-control", "no-transform"],
  ];
  if (typeof contentType === "string") headers.push(["content-type", contentType]);
  if (input.protocol === "anthropic") headers.push(["request-id", input.requestId]);
  const rateLimit = input.responseHeaders;
  for (const name in rateLimit) headers.push([name, rateLimit[name]!]);
  headers.push(...extra);
  return headers;
}

function discard(upstream: UpstreamResponse): Promise<void> {
  return upstream.body.dump(64 * 1024);
}

/**
 * An upstream answer that says the channel, not the request, is at fault: the provider is down or
 * overloaded (5xx, 429), or refuses the channel's own key or account (401, 403). Passing a 401 on
 * would tell the buyer their key is wrong; another channel may serve them, and when none does they
 * get `upstream_error`. Other 4xx answers are about the request and reach the client as sent.
 */
function channelFailed(status: number): boolean {
  return status >= 500 || status === 429 || status === 401 || status === 403;
}

/**
 * Sends the request to the model's channels in order until one answers: connect errors, timeouts,
 * 5xx, 429, 401 and 403 before the first byte move on to the next channel (and count against its
 * circuit).
 * A stream is passed through chunk by chunk as it arrives; the client leaving aborts the upstream
 * (the client's own signal goes to the upstream call; a cancelled stream closes its body).
 * `onDone` is called once when an answer has been returned and its exchange is over (stream
 * finished, failed or the client left); not when this throws.
 */
export async function forwardUpstream(input: ProxyInput, onDone: (exchange: Exchange) => void): Promise<Response> {
  const { model, channels } = input;
  const stream =
    input.operation === "stream_generate" ||
    ((input.operation === "chat" || input.operation === "responses" || input.operation === "messages") && input.body.stream === true);
  const wire = clientWire(input.protocol, input.operation);
  const started = performance.now();
  const clientSignal = clientSignalOf(input.request);

  let lastFailure: { kind: "timeout" | "error"; retryAfter?: number } = { kind: "error" };
  let refusal: GatewayError | undefined;
  let attempted = false;
  for (const channel of attemptOrder(channels)) {
    const sameProtocol = channel.protocol === input.protocol;
    const operation = sameProtocol ? input.operation : upstreamOperation(input.operation, channel.protocol, stream);
    if (operation === null && isEmbeddingOperation(input.operation)) {
      // A channel whose protocol makes no embeddings (Anthropic); another channel's may.
      refusal ??= new GatewayError("invalid_request", { reason: `the model "${model}" makes no embeddings`, param: "model" });
      continue;
    }
    if (operation === null) {
      // Token counting on a channel whose protocol cannot count: answer with a local estimate.
      const headers = responseHeaders(input, "application/json");
      headers.push(["x-gatehouse-estimate", "true"]);
      onDone({ status: 200, errorCode: null, usage: null, channelId: channel.id, channelName: channel.name, upstreamModel: null, ttfbMs: 0, stream: false });
      return new Response(estimatedTokenCount(input.raw, input.protocol), { status: 200, headers });
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
    const target = buildUpstreamTarget(channel, operation, input.request.headers, input.client, prepared.upstreamModel, sameProtocol);
    // A translated Responses request: the hosted tools left out are named to the client.
    const responses = !sameProtocol && wire === "responses" ? responsesContext(input.body) : null;
    const extraHeaders: [string, string][] = responses?.droppedTools.length ? [["x-gatehouse-dropped-tools", droppedToolsHeader(responses.droppedTools)]] : [];
    attempted = true;
    const attemptStarted = performance.now();
    const failed = (outcome: string) =>
      (input.client.failover ??= []).push({ channelId: channel.id, channel: channel.name, outcome, ms: Math.round(performance.now() - attemptStarted) });
    let upstream: UpstreamResponse;
    try {
      upstream = await callUpstream({ ...target, body: prepared.body, signal: clientSignal, headersTimeoutMs: input.headersTimeoutMs });
    } catch (err) {
      const kind = classifyUpstreamError(err);
      if (kind === "aborted" || clientSignal.aborted) throw new ClientGoneError();
      recordChannelFailure(channel.id, Date.now(), describeUpstreamFailure(err));
      failed(kind === "timeout" ? "timeout" : "unreachable");
      lastFailure = { kind: kind === "timeout" ? "timeout" : "error" };
      logger.warn({ requestId: input.requestId, channel: channel.name, kind, err: (err as Error).message }, "upstream unreachable; trying the next channel");
      continue;
    }
    if (channelFailed(upstream.statusCode)) {
      recordChannelFailure(channel.id, Date.now(), `HTTP ${upstream.statusCode}`);
      failed(`HTTP ${upstream.statusCode}`);
      const retryAfter = Number(upstream.headers["retry-after"]);
      lastFailure = { kind: "error", retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined };
      logger.warn({ requestId: input.requestId, channel: channel.name, status: upstream.statusCode }, "upstream failed; trying the next channel");
      await discard(upstream);
      continue;
    }
    recordChannelSuccess(channel.id);
    const meter: Metering = {
      channelId: channel.id,
      channelName: channel.name,
      upstreamModel: prepared.upstreamModel,
      stream,
      started,
      onDone,
    };

    if (!stream || upstream.statusCode !== 200) {
      // Whole answers (and upstream refusals such as 400) are small: read, meter, pass on unchanged.
      const bytes = await upstream.body.bytes();
      const ttfbMs = Math.round(performance.now() - started);
      let usage: UsageReading | null = null;
      let answer: Uint8Array<ArrayBuffer> = bytes;
      const counted = operation !== "count_tokens" && operation !== "gemini_count_tokens";
      // Gemini reports no usage for embeddings: their input is estimated from the texts sent.
      const embeds = upstream.statusCode === 200 && isEmbeddingOperation(operation);
      if (sameProtocol) {
        // Usage in the upstream's own protocol, read without parsing the whole answer.
        const counts = upstream.statusCode === 200 && counted ? usageFromText(channel.protocol, utf8.decode(bytes)) : null;
        usage = counts ? { ...counts, estimated: false } : embeds ? estimatedEmbeddingUsage(input.body) : null;
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(utf8.decode(bytes));
        } catch {
          parsed = undefined;
        }
        if (upstream.statusCode === 200) {
          const counts = counted ? usageFromBody(channel.protocol, parsed) : null;
          usage = counts ? { ...counts, estimated: false } : embeds ? estimatedEmbeddingUsage(input.body) : null;
          const translated = translateAnswer(channel.protocol, wire, parsed, {
            model,
            requestId: input.requestId,
            operation: input.operation,
            clientBody: input.body,
            inputTokens: usage?.inputTokens ?? 0,
            toolNames: responses?.toolNames,
          });
          if (!translated) throw new GatewayError("upstream_error");
          answer = translated;
        } else {
          answer = translateUpstreamError(upstream.statusCode, parsed, wire);
        }
      }
      finishExchange(meter, upstream.statusCode, null, usage, ttfbMs);
      const contentType = sameProtocol ? upstream.headers["content-type"] : "application/json";
      const init = { status: upstream.statusCode, headers: responseHeaders(input, contentType, extraHeaders) };
      return hostedBytes(input.request, answer, init);
    }

    const clientWantsArray = input.protocol === "gemini" && input.client.url.searchParams.get("alt") !== "sse";
    // Meters the stream on its way; removes the usage chunk the gateway added, if it did.
    const observer = new StreamUsageObserver(channel.protocol, estimateTokens(input.raw.byteLength), sameProtocol && clientWantsArray ? "json-array" : "sse", {
      dropInjectedUsage: prepared.addedUsageChunk,
    });
    // Across protocols the upstream's events are rewritten one by one as they arrive.
    const rewriter = sameProtocol
      ? null
      : createStreamRewriter(channel.protocol, wire, {
          model,
          requestId: input.requestId,
          toolNames: responses?.toolNames,
          includeUsage: (input.body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
          jsonArray: clientWantsArray,
        });
    const contentType = rewriter ? (clientWantsArray ? "application/json" : "text/event-stream") : upstream.headers["content-type"];
    const relay = new StreamRelay(upstream, observer, rewriter, meter, { clientSignal, requestId: input.requestId, channelName: channel.name });
    const init = { status: 200, headers: responseHeaders(input, contentType, extraHeaders) };
    return hostedResponse(input.request, relay.writeTo, relay.webStream, init);
  }

  if (refusal && !attempted) throw refusal;
  if (lastFailure.kind === "timeout") throw new GatewayError("upstream_timeout", { timeoutSeconds: Math.round(input.headersTimeoutMs / 1000) });
  throw new GatewayError("upstream_error", { retryAfterSeconds: lastFailure.retryAfter });
}

const utf8 = new TextDecoder();

/** Usage of an embedding call whose upstream reported none: the input texts at about four characters a token. */
function estimatedEmbeddingUsage(body: Record<string, unknown>): UsageReading {
  return { inputTokens: measurePrompt(body).estimate, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, estimated: true };
}

/** What ending an exchange needs; kept apart from the request so a long stream does not hold it. */
interface Metering {
  channelId: string;
  channelName: string;
  upstreamModel: string;
  stream: boolean;
  started: number;
  onDone(exchange: Exchange): void;
}

function finishExchange(m: Metering, status: number, errorCode: string | null, usage: UsageReading | null, ttfbMs: number | null): void {
  m.onDone({
    status,
    errorCode,
    usage,
    channelId: m.channelId,
    channelName: m.channelName,
    upstreamModel: m.upstreamModel,
    ttfbMs,
    stream: m.stream,
  });
}

/**
 * The client's stream: the upstream's chunks as they arrive (metered, or rewritten for another
 * protocol), ended with the exchange's outcome. The node host takes it through `writeTo`, which
 * writes each chunk to the socket as it arrives and pauses the upstream while the socket is full;
 * any other host through `webStream`, a Web stream read chunk by chunk. Either is used once, never
 * both. It holds the upstream, the meter and a few strings, not the request and its parsed body.
 */
class StreamRelay {
  private pendingOut: Uint8Array[] = [];
  private readonly sseParser: ReturnType<typeof createParser> | null;
  private readonly textDecoder: TextDecoder | null;
  private ttfbMs: number | null = null;
  private settled = false;

  constructor(
    private readonly upstream: UpstreamResponse,
    private readonly observer: StreamUsageObserver,
    private readonly rewriter: ReturnType<typeof createStreamRewriter> | null,
    private readonly meter: Metering,
    private readonly context: { clientSignal: ClientSignal; requestId: string; channelName: string },
  ) {
    this.sseParser = rewriter
      ? createParser({
          onEvent: (ev) => {
            const out = rewriter.push({ event: ev.event, data: ev.data });
            if (out) this.pendingOut.push(out);
          },
        })
      : null;
    this.textDecoder = rewriter ? new TextDecoder() : null;
  }

  private settle(status: number, errorCode: string | null): void {
    if (this.settled) return;
    this.settled = true;
    finishExchange(this.meter, status, errorCode, this.observer.reading(), this.ttfbMs);
  }

  /** The client left (its signal aborted the upstream call), or the upstream dropped the connection mid-stream: either way, bill what was generated. */
  private broke(err: unknown): void {
    if (this.context.clientSignal.aborted) return this.settle(499, "client_closed");
    logger.warn({ requestId: this.context.requestId, channel: this.context.channelName, err: (err as Error).message }, "upstream stream broke");
    this.settle(502, "upstream_error");
  }

  /** What one upstream chunk becomes for the client: a chunk, several, or nothing yet. */
  private take(value: Buffer): Uint8Array | Uint8Array[] | null {
    this.ttfbMs ??= Math.round(performance.now() - this.meter.started);
    if (!this.rewriter) return this.observer.push(value);
    this.observer.feed(value);
    this.sseParser!.feed(this.textDecoder!.decode(value, { stream: true }));
    const out = this.pendingOut;
    if (out.length === 0) return null;
    this.pendingOut = [];
    return out;
  }

  /** What is left to send when the upstream has ended. */
  private rest(): Uint8Array[] {
    const rest = this.observer.end();
    if (!this.rewriter) return rest ? [rest] : [];
    this.sseParser!.feed(this.textDecoder!.decode());
    const out = this.pendingOut;
    this.pendingOut = [];
    const tail = this.rewriter.end();
    if (tail) out.push(tail);
    return out;
  }

  /** The node host's way: see NodeBodyWriter. */
  readonly writeTo = (res: ServerResponse, clientGone: ClientSignal): Promise<void> => {
    const source = this.upstream.body;
    return new Promise<void>((resolve) => {
      let over = false;
      const finish = () => {
        over = true;
        res.off("close", onClose);
        res.off("drain", onDrain);
        resolve();
      };
      // Node corks the socket for the rest of the tick at a response's first write in it: the
      // chunks undici hands over in one pass, and the end, leave in one system call.
      const write = (chunk: Uint8Array | Uint8Array[] | null): boolean => {
        if (chunk === null) return true;
        if (!Array.isArray(chunk)) return res.write(chunk);
        let room = true;
        for (const part of chunk) room = res.write(part) && room;
        return room;
      };
      let waiting = false;
      const onDrain = () => {
        waiting = false;
        source.resume();
      };
      // The client went away: stop the upstream generation now.
      const onClose = () => {
        if (over) return;
        finish();
        source.destroy();
        this.settle(499, "client_closed");
      };
      if (clientGone.aborted) return onClose();
      res.once("close", onClose);
      source.pipe({
        data: (value) => {
          if (write(this.take(value))) return true;
          if (!waiting) res.once("drain", onDrain);
          waiting = true;
          return false;
        },
        end: () => {
          write(this.rest());
          res.end();
          finish();
          this.settle(200, null);
        },
        error: (err) => {
          finish();
          if (!clientGone.aborted) logger.debug({ err }, "response body ended with an error");
          res.destroy();
          this.broke(err);
        },
      });
    });
  };

  /** Any other host's way: a Web stream, which pauses the upstream while its reader has enough. */
  readonly webStream = (): ReadableStream<Uint8Array> =>
    this.upstream.body.toWebStream({
      map: (value) => this.take(value),
      end: () => {
        const rest = this.rest();
        this.settle(200, null);
        return rest;
      },
      error: (err) => this.broke(err),
      // The client went away: the upstream generation is stopped.
      cancel: () => this.settle(499, "client_closed"),
    });
}
