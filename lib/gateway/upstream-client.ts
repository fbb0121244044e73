import { Agent, errors as undiciErrors, type Dispatcher } from "undici";
import type { ConnectionOptions } from "node:tls";
import { getConfig } from "@/lib/config";
import type { ClientSignal } from "@/lib/server/node-host";
import { processSingleton } from "@/lib/server/process-singleton";
import { Http2Agent } from "./upstream-http2";

// One pooled keep-alive client for every upstream call: reusing connections is most of the
// difference between a thin proxy and a slow one (undici.request on a shared Agent is about 1.6x
// the throughput of the global fetch inside Next).

/** What an upstream call is sent through: undici's Agent, or the HTTP/2 agent of upstream-http2.ts. */
interface UpstreamDispatcher {
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
  destroy(): Promise<void>;
}

const AGENT = processSingleton<{ current?: UpstreamDispatcher }>("gateway.agent", () => ({}));

function http1Agent(tls?: ConnectionOptions): Agent {
  return new Agent({
    // No cap per upstream origin: a cap queues streams behind each other (at 256, a thousand slow
    // streams were served 256 at a time).
    connections: null,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connect: { timeout: 10_000, ...tls },
  });
}

/** An agent over HTTP/2 or HTTP/1.1 as `http2` says, the configuration's choice when unset. */
function newAgent(http2 = getConfig().upstreamHttp2, tls?: ConnectionOptions): UpstreamDispatcher {
  return http2 ? new Http2Agent(tls) : http1Agent(tls);
}

function agent(): UpstreamDispatcher {
  AGENT.current ??= newAgent();
  return AGENT.current;
}

/**
 * Closes the agent's connections and sends the calls that follow through a new one: HTTP/2 or
 * not as `http2` says (the configuration's choice when unset), with `tls` added to every TLS
 * connection (a private CA's certificate, say).
 */
export async function replaceUpstreamAgent(options: { http2?: boolean; tls?: ConnectionOptions } = {}): Promise<void> {
  const previous = AGENT.current;
  AGENT.current = newAgent(options.http2, options.tls);
  await previous?.destroy();
}

/** An upstream's answer: its status and headers, and its body as it arrives. */
export interface UpstreamResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: UpstreamBody;
}

export interface UpstreamCall {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | string;
  /**
   * Aborts the call, before or during the answer: an AbortSignal, or the node host's lighter
   * signal (lib/server/node-host.ts). An abort ends it with the signal's reason.
   */
  signal: ClientSignal;
  /** Time allowed until the response headers arrive. */
  headersTimeoutMs: number;
}

/**
 * Sends one upstream call on the shared agent and resolves with the answer once its headers are
 * in; rejects when no answer comes (connect error, timeout, abort).
 *
 * Through the agent's `dispatch` with a handler of our own rather than its `request()`, which
 * wraps every call in an `AsyncResource` and every answer in a Node `Readable`: the body's chunks
 * go from undici's parser to whoever reads them (UpstreamBody), with its backpressure, and nothing
 * in between. On the gateway's path that was a fifth of a request's CPU.
 */
export function callUpstream(call: UpstreamCall): Promise<UpstreamResponse> {
  const { origin, path } = splitUrl(call.url);
  // Aborted already: no call at all.
  if (call.signal.aborted) return Promise.reject(abortReason(call.signal));
  return new Promise((resolve, reject) => {
    agent().dispatch(
      {
        origin,
        path,
        method: "POST",
        headers: { ...call.headers, "accept-encoding": "identity" },
        body: call.body,
        headersTimeout: call.headersTimeoutMs,
        // Between two chunks of a stream; generous, as a model may think for a while.
        bodyTimeout: 600_000,
      },
      new UpstreamHandler(call.signal, resolve, reject),
    );
  });
}

/** How a body's reader takes it: `data` returns false to have no more until `resume()`. */
export interface BodySink {
  data(chunk: Buffer): boolean;
  end(): void;
  error(err: Error): void;
}

/**
 * What a body's Web stream (`toWebStream`) makes of it on its way; each is optional. A hook that
 * throws fails the stream, as an upstream's break does.
 */
export interface WebStreamHooks {
  /** What a chunk becomes for the reader: a chunk, several, or nothing yet (the chunk itself without this hook). */
  map?(chunk: Buffer): Uint8Array | Uint8Array[] | null;
  /** The body ended: what is left to send, queued before the stream closes. */
  end?(): Uint8Array[];
  /** The body failed (the upstream broke off, or a hook threw): called once the stream is errored with `err`. */
  error?(err: Error): void;
  /** The reader cancelled the stream: called once the call is ended. */
  cancel?(): void;
}

/**
 * An upstream answer's body, read once: whole (`bytes`, `text`), dropped (`dump`), as a Web
 * stream (`toWebStream`), or chunk by chunk into a sink (`pipe`) that pauses the upstream by
 * returning false and resumes it with `resume()`. Chunks that arrive before a reader are kept for
 * it. `destroy()` ends the call and silences the body.
 */
export class UpstreamBody {
  private sink: BodySink | null = null;
  private early: Buffer[] | null = null;
  private outcome: Error | true | null = null;
  private destroyed = false;

  constructor(private readonly controller: Dispatcher.DispatchController) {}

  /**
   * From the handler: a chunk of the body. An empty one is dropped: undici's parser hands one over
   * when it is resumed before the socket has more, and a reader that pauses on every chunk (a Web
   * stream's queue of one) would pause on it again before the socket is read, and so forever.
   */
  push(chunk: Buffer): void {
    if (this.destroyed || chunk.length === 0) return;
    if (this.sink) {
      if (!this.sink.data(chunk)) this.controller.pause();
    } else (this.early ??= []).push(chunk);
  }

  /** From the handler: the body ended, or failed with `err`. */
  finish(err?: Error): void {
    if (this.destroyed || this.outcome) return;
    this.outcome = err ?? true;
    const sink = this.sink;
    if (!sink) return;
    this.sink = null;
    if (err) sink.error(err);
    else ended(sink);
  }

  /**
   * Hands the body to `sink`: what has arrived at once, the rest as it comes. A sink that throws
   * on a chunk is told the body failed (the call is ended), as it is on an upstream's break.
   */
  pipe(sink: BodySink): void {
    if (this.sink || this.destroyed) throw new Error("an upstream body is read once");
    const early = this.early;
    this.early = null;
    let room = true;
    try {
      if (early) for (const chunk of early) room = sink.data(chunk) && room;
    } catch (err) {
      this.destroy();
      return sink.error(err as Error);
    }
    if (this.outcome === true) return ended(sink);
    if (this.outcome) return sink.error(this.outcome);
    this.sink = sink;
    if (!room) this.controller.pause();
  }

  /** Lets a paused upstream send again (nothing once the body is over: the connection may be another call's by then). */
  resume(): void {
    if (!this.outcome && !this.destroyed) this.controller.resume();
  }

  /** Ends the call (its connection is closed) and hands nothing more to the reader. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.sink = null;
    this.early = null;
    if (!this.outcome) this.controller.abort(new undiciErrors.RequestAbortedError());
  }

  /**
   * The body as a Web stream: the upstream is paused while the stream's queue is full and resumed
   * when its reader pulls, and the call is ended when the reader cancels. See WebStreamHooks.
   */
  toWebStream(hooks: WebStreamHooks = {}): ReadableStream<Uint8Array> {
    const { map, end, error, cancel } = hooks;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        const enqueue = (out: Uint8Array | Uint8Array[] | null) => {
          if (out === null) return;
          if (Array.isArray(out)) for (const part of out) controller.enqueue(part);
          else controller.enqueue(out);
        };
        this.pipe({
          data: (chunk) => {
            enqueue(map ? map(chunk) : chunk);
            return (controller.desiredSize ?? 0) > 0;
          },
          end: () => {
            if (end) enqueue(end());
            controller.close();
          },
          error: (err) => {
            controller.error(err);
            error?.(err);
          },
        });
      },
      pull: () => this.resume(),
      cancel: () => {
        this.destroy();
        cancel?.();
      },
    });
  }

  /** The whole body (in memory undici allocated: never shared). */
  bytes(): Promise<Buffer<ArrayBuffer>> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let total = 0;
      this.pipe({
        data: (chunk) => {
          chunks.push(chunk);
          total += chunk.length;
          return true;
        },
        end: () => resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)) as Buffer<ArrayBuffer>),
        error: reject,
      });
    });
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString("utf8");
  }

  /** Reads and drops the body, so its connection can serve the next call; one longer than `limit` bytes ends the call instead. Never rejects. */
  dump(limit = 64 * 1024): Promise<void> {
    return new Promise((resolve) => {
      let total = 0;
      this.pipe({
        data: (chunk) => {
          total += chunk.length;
          if (total > limit) {
            this.destroy();
            resolve();
          }
          return true;
        },
        end: resolve,
        error: () => resolve(),
      });
    });
  }
}

/** Ends `sink`; one whose end fails (a translated stream's last events) is told so instead. */
function ended(sink: BodySink): void {
  try {
    sink.end();
  } catch (err) {
    sink.error(err as Error);
  }
}

/** undici's handler for one call, whose signal had not aborted when it was made: see callUpstream. */
class UpstreamHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private body: UpstreamBody | null = null;

  constructor(
    private readonly signal: ClientSignal,
    private readonly resolve: (response: UpstreamResponse) => void,
    private readonly reject: (err: Error) => void,
  ) {
    signal.addEventListener("abort", this.onAbort);
  }

  private readonly onAbort = (): void => {
    // Before undici started the call, it is aborted as it starts (onRequestStart).
    this.controller?.abort(abortReason(this.signal));
  };

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.signal.aborted) controller.abort(abortReason(this.signal));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // An informational answer (103 Early Hints) comes before the answer itself.
    if (statusCode < 200) return;
    this.body = new UpstreamBody(controller);
    this.resolve({ statusCode, headers, body: this.body });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.body!.push(chunk);
  }

  onResponseEnd(): void {
    this.settle();
    this.body!.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.settle();
    if (this.body) this.body.finish(err);
    else this.reject(err);
  }

  private settle(): void {
    this.signal.removeEventListener("abort", this.onAbort);
  }
}

/** What an aborted call fails with: the signal's reason (a timeout's TimeoutError, an AbortError), as undici's request() does. */
function abortReason(signal: ClientSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new undiciErrors.RequestAbortedError();
}

/**
 * An absolute http(s) URL as undici's dispatcher takes it: the origin, and the path with its
 * query. The upstream URLs are the gateway's own (a channel's base URL, checked when it was saved,
 * and a path), so a cut at the first slash after the host does; anything else is parsed.
 */
export function splitUrl(url: string): { origin: string; path: string } {
  const scheme = url.startsWith("https://") ? 8 : url.startsWith("http://") ? 7 : -1;
  const slash = scheme < 0 ? -1 : url.indexOf("/", scheme);
  if (slash > scheme && !/[?#@\\]/.test(url.slice(scheme, slash))) return { origin: url.slice(0, slash), path: url.slice(slash) };
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/** Whether an error means "never got an answer" (connect refused, reset, DNS, timeout). */
export function classifyUpstreamError(err: unknown): "timeout" | "connect" | "aborted" | "other" {
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) return "timeout";
  if (err instanceof undiciErrors.RequestAbortedError || (err as { name?: string })?.name === "AbortError") return "aborted";
  const code = (err as { code?: string })?.code;
  if (
    code &&
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|UND_ERR_SOCKET|UND_ERR_CLOSED|UPSTREAM_NO_HTTP2|ERR_HTTP2_ERROR|ERR_HTTP2_SESSION_ERROR|ERR_HTTP2_STREAM_ERROR|ERR_HTTP2_STREAM_CANCEL|ERR_HTTP2_GOAWAY_SESSION|ERR_HTTP2_INVALID_SESSION)$/.test(
      code,
    )
  )
    return "connect";
  return "other";
}

/** An upstream call's failure in a few words, with no URL, header or key in them: for the console. */
export function describeUpstreamFailure(err: unknown): string {
  const kind = classifyUpstreamError(err);
  if (kind === "timeout") return "timed out waiting for an answer";
  const code = (err as { code?: string })?.code;
  if (kind === "connect") return `could not connect (${code})`;
  if (kind === "aborted") return "aborted";
  return code && /^[A-Z][A-Z0-9_]{1,39}$/.test(code) ? `request failed (${code})` : "request failed";
}
