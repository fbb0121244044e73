/**
 * The mock upstream HTTP server: routing, credentials, fault handling and request recording.
 * Protocol details live in openai.ts, anthropic.ts and gemini.ts.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { anthropicCountTokens, anthropicError, anthropicMessages, anthropicMissingKey, anthropicModelById, anthropicModels } from "./anthropic";
import { FaultSlot, resolveFault, type Fault } from "./faults";
import { geminiCountTokens, geminiError, geminiGenerate, geminiMissingKey, geminiModelById, geminiModels } from "./gemini";
import { geminiEmbed, openaiEmbeddings } from "./embeddings";
import { DEFAULT_MODELS } from "./models";
import { openaiChat, openaiError, openaiMissingKey, openaiModelById, openaiModels } from "./openai";
import { dropConnection, refuseConnection, sendReply, type Exchange } from "./respond";
import { openaiResponses } from "./responses";
import type { ModelCatalog, Provider, Reply, RequestContext } from "./types";
import { sleep, untilAborted } from "./util";

/**
 * - `completed`: the whole response was written;
 * - `client-closed`: the client closed the connection before the response was complete;
 * - `dropped`: the mock cut the connection on purpose (drop or refuse fault);
 * - `server-closed`: `close()` ended the request.
 */
export type RequestOutcome = "completed" | "client-closed" | "dropped" | "server-closed";

export interface RecordedRequest {
  /** 1-based arrival order on this server. */
  id: number;
  method: string;
  /** Path and query as received. */
  url: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Raw request body text ("" for none). */
  body: string;
  receivedAt: number;
  /** Status sent, once the response headers are out. */
  status?: number;
  /** Bytes of the response body handed to the connection so far (what a reader has not taken stays unwritten). */
  bytesWritten: number;
  /** "pending" until the exchange ends. */
  outcome: RequestOutcome | "pending";
  /** True once the client has closed the connection before the response was complete. */
  clientClosedEarly: boolean;
  /** Resolves when the exchange ends, whichever way. */
  done: Promise<RequestOutcome>;
}

export interface MockUpstream {
  /** Base URL, e.g. http://127.0.0.1:4010 (OpenAI clients append /v1). */
  url: string;
  port: number;
  close(): Promise<void>;
  /** The most recent requests (at most `MAX_RECORDED`), oldest first. Empty when recording is off. */
  requests: RecordedRequest[];
  /** Forgets recorded requests and clears the server fault. */
  reset(): void;
  setFault(fault: Fault | null): void;
}

export interface MockUpstreamOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  fault?: Fault;
  /** Record requests (default true). */
  record?: boolean;
  /** Override the model ids the list endpoints report. */
  models?: Partial<ModelCatalog>;
}

export const MAX_RECORDED = 1000;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

const ERROR_BUILDERS: Record<Provider, (status: number, message: string, headers?: Record<string, string>) => Reply> = {
  openai: (status, message, headers) => openaiError(status, message, {}, headers),
  anthropic: anthropicError,
  gemini: geminiError,
};

const MISSING_KEY: Record<Provider, () => Reply> = {
  openai: openaiMissingKey,
  anthropic: anthropicMissingKey,
  gemini: geminiMissingKey,
};

interface Route {
  provider: Provider;
  handle: ((ctx: RequestContext) => Reply) | undefined;
}

const GEMINI_ACTION = /^\/(v1beta|v1|v1alpha)\/models\/([^/:]+):([A-Za-z]+)$/;
const GEMINI_MODEL = /^\/(v1beta|v1alpha)\/models\/([^/:]+)$/;

/** Maps a request to its provider and handler; `handle` is undefined for an unknown endpoint. */
function route(method: string, path: string, query: URLSearchParams, headers: IncomingHttpHeaders): Route {
  // /v1/models is shared by OpenAI and Anthropic; Anthropic clients always send anthropic-version.
  const anthropicClient = headers["anthropic-version"] !== undefined;
  if (method === "POST") {
    if (path === "/v1/chat/completions") return { provider: "openai", handle: openaiChat };
    if (path === "/v1/responses") return { provider: "openai", handle: openaiResponses };
    if (path === "/v1/embeddings") return { provider: "openai", handle: openaiEmbeddings };
    if (path === "/v1/messages") return { provider: "anthropic", handle: anthropicMessages };
    if (path === "/v1/messages/count_tokens") return { provider: "anthropic", handle: anthropicCountTokens };
    const action = GEMINI_ACTION.exec(path);
    if (action) {
      const model = decodeURIComponent(action[2] ?? "");
      switch (action[3]) {
        case "generateContent":
          return { provider: "gemini", handle: (ctx) => geminiGenerate(ctx, model, "unary") };
        case "streamGenerateContent": {
          const mode = query.get("alt") === "sse" ? "sse" : "json-stream";
          return { provider: "gemini", handle: (ctx) => geminiGenerate(ctx, model, mode) };
        }
        case "countTokens":
          return { provider: "gemini", handle: geminiCountTokens };
        case "embedContent":
          return { provider: "gemini", handle: (ctx) => geminiEmbed(ctx, model, false) };
        case "batchEmbedContents":
          return { provider: "gemini", handle: (ctx) => geminiEmbed(ctx, model, true) };
      }
    }
  } else if (method === "GET") {
    if (path === "/v1/models") {
      return anthropicClient ? { provider: "anthropic", handle: anthropicModels } : { provider: "openai", handle: openaiModels };
    }
    if (path.startsWith("/v1/models/")) {
      const id = decodeURIComponent(path.slice("/v1/models/".length));
      return anthropicClient
        ? { provider: "anthropic", handle: (ctx) => anthropicModelById(ctx, id) }
        : { provider: "openai", handle: (ctx) => openaiModelById(ctx, id) };
    }
    if (path === "/v1beta/models" || path === "/v1alpha/models") return { provider: "gemini", handle: geminiModels };
    const model = GEMINI_MODEL.exec(path);
    if (model) {
      const id = decodeURIComponent(model[2] ?? "");
      return { provider: "gemini", handle: (ctx) => geminiModelById(ctx, id) };
    }
  }
  const provider: Provider = path.startsWith("/v1beta") || path.includes(":") ? "gemini" : anthropicClient ? "anthropic" : "openai";
  return { provider, handle: undefined };
}

/** Any non-empty credential in any of the places the three providers read one. */
function hasCredential(headers: IncomingHttpHeaders, query: URLSearchParams): boolean {
  const auth = headers.authorization;
  if (typeof auth === "string" && /^Bearer\s+\S/i.test(auth)) return true;
  for (const name of ["x-api-key", "x-goog-api-key"]) {
    const value = headers[name];
    if (typeof value === "string" && value.trim() !== "") return true;
  }
  return (query.get("key") ?? "").trim() !== "";
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return chunks.length === 0 ? "" : Buffer.concat(chunks).toString("utf8");
}

export async function startMockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const host = options.host ?? "127.0.0.1";
  const record = options.record ?? true;
  const models: ModelCatalog = { ...DEFAULT_MODELS, ...options.models };
  const faults = new FaultSlot();
  faults.set(options.fault ?? null);
  const requests: RecordedRequest[] = [];
  let seq = 0;
  let closing = false;
  let closed: Promise<void> | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = ++seq;
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q === -1 ? "" : rawUrl.slice(q + 1));
    const method = req.method ?? "GET";

    const controller = new AbortController();
    let dropped = false;
    let resolveDone: (outcome: RequestOutcome) => void = () => {};
    const rec: RecordedRequest | undefined = record
      ? {
          id,
          method,
          url: rawUrl,
          path,
          query,
          headers: req.headers,
          body: "",
          receivedAt: Date.now(),
          bytesWritten: 0,
          outcome: "pending",
          clientClosedEarly: false,
          done: new Promise<RequestOutcome>((resolve) => (resolveDone = resolve)),
        }
      : undefined;
    res.once("close", () => {
      const outcome: RequestOutcome = dropped ? "dropped" : res.writableFinished ? "completed" : closing ? "server-closed" : "client-closed";
      controller.abort();
      if (rec) {
        if (res.headersSent) rec.status = res.statusCode;
        rec.outcome = outcome;
        rec.clientClosedEarly = outcome === "client-closed";
        resolveDone(outcome);
      }
    });
    const ex: Exchange = {
      res,
      signal: controller.signal,
      markDropped: () => (dropped = true),
      wrote: rec ? (bytes) => (rec.bytesWritten += bytes) : undefined,
    };

    if (path === "/health") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
      return;
    }

    const fault = resolveFault(faults.take(path), req.headers);
    if (rec) {
      if (requests.length >= MAX_RECORDED) requests.shift();
      requests.push(rec);
    }
    if (fault.refuse) {
      refuseConnection(ex);
      return;
    }

    let text: string | undefined;
    try {
      text = await readBody(req);
    } catch {
      return; // The client went away while sending; the close handler records it.
    }
    if (rec) rec.body = text ?? "";

    if (fault.delayMs) await sleep(fault.delayMs, ex.signal);
    if (fault.hang) await untilAborted(ex.signal);
    if (ex.signal.aborted) return;

    const reply = answer({ method, path, query, headers: req.headers, text, fault, seq: id, models });
    await sendReply(ex, reply, { chunkDelayMs: fault.chunkDelayMs, dropAfterChunks: fault.dropAfterChunks });
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      // A handler bug must not take the server down: cut this exchange only.
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end('{"error":"mock upstream failure"}');
      else dropConnection({ res, signal: new AbortController().signal, markDropped: () => {} });
    });
  };
  const http1 = createServer({ requestTimeout: 300_000, headersTimeout: 70_000 }, listener);
  // Clients and proxies pool connections for up to 60 s; idle sockets must outlive that.
  http1.keepAliveTimeout = 65_000;
  http1.maxRequestsPerSocket = 0;
  // HTTP/2 by prior knowledge (h2c), on the same port: Node's compatibility API hands the same
  // handler a request and response shaped like node:http's.
  const http2 = createHttp2Server({ settings: { maxConcurrentStreams: HTTP2_STREAMS_PER_CONNECTION } }, listener as unknown as Http2Listener);
  // Every connection, whichever server has it, so that close() can end them all.
  const sockets = new Set<Socket>();
  // Nagle off, as node:http's own server has it: otherwise a reply's pieces reach its client
  // coalesced, and a proxy in front reads fewer, larger chunks than from any real server.
  const server = createNetServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    handOver(socket, http1, http2);
  });
  // Thousands of concurrent slow streams are expected in benchmarks: no connection cap.
  server.maxConnections = Infinity;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port ?? 0, host, backlog: 4096 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests,
    reset() {
      requests.length = 0;
      faults.set(null);
    },
    setFault(fault) {
      faults.set(fault);
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        // Hanging and streaming requests would otherwise keep close() waiting.
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}

interface Incoming {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Body text; undefined when it was over the size limit. */
  text: string | undefined;
  fault: Fault;
  seq: number;
  models: ModelCatalog;
}

/**
 * The reply to a request that is going to be answered. Checks run in the order a real provider's
 * front end would: body size, credential, then the injected status, then the endpoint itself.
 */
function answer({ method, path, query, headers, text, fault, seq, models }: Incoming): Reply {
  const target = route(method, path, query, headers);
  const extra: Record<string, string> = {};
  const requestId = `req_mock${String(seq).padStart(12, "0")}`;
  if (target.provider === "openai") extra["x-request-id"] = requestId;
  if (target.provider === "anthropic") extra["request-id"] = requestId;
  const error = (status: number, message: string) => withHeaders(ERROR_BUILDERS[target.provider](status, message), extra);

  if (text === undefined) return error(413, "Request body too large for the mock upstream.");
  if (!hasCredential(headers, query)) return withHeaders(MISSING_KEY[target.provider](), extra);
  if (fault.status !== undefined && fault.status >= 400) {
    const retryAfter = fault.retryAfter ?? (fault.status === 429 ? 1 : undefined);
    if (retryAfter !== undefined) extra["retry-after"] = String(retryAfter);
    return error(fault.status, fault.message ?? defaultMessage(fault.status));
  }
  if (!target.handle) return error(404, `Unknown request URL: ${method} ${path}`);
  const parsed = parseJson(text);
  if (!parsed.ok) return error(400, "Request body is not valid JSON.");
  const ctx: RequestContext = {
    body: parsed.value,
    query,
    headers,
    seq,
    knobs: { outputTokens: fault.outputTokens, truncated: fault.truncated, streamBytes: fault.streamBytes },
    models,
  };
  return withHeaders(target.handle(ctx), extra);
}

function parseJson(text: string): { ok: boolean; value: unknown } {
  if (text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, value: undefined };
  }
}

function withHeaders(reply: Reply, headers: Record<string, string>): Reply {
  return { ...reply, headers: { ...headers, ...reply.headers } };
}

function defaultMessage(status: number): string {
  if (status === 429) return "Rate limit exceeded (mock upstream fault).";
  if (status >= 500) return "The server had an error while processing your request (mock upstream fault).";
  return `Request failed with status ${status} (mock upstream fault).`;
}

type Http2Listener = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

/** Streams one HTTP/2 connection may carry, as providers commonly announce. */
const HTTP2_STREAMS_PER_CONNECTION = 100;
const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * Gives a new connection to the HTTP/1.1 or the HTTP/2 server by its first bytes (HTTP/2's
 * connection preface), put back for the server that reads them.
 */
function handOver(
  socket: Socket,
  http1: { emit(event: "connection", socket: Socket): boolean },
  http2: { emit(event: "connection", socket: Socket): boolean },
): void {
  let head = Buffer.alloc(0);
  socket.on("readable", function sniff() {
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) head = Buffer.concat([head, chunk]);
    const n = Math.min(head.length, HTTP2_PREFACE.length);
    const http2Preface = head.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n));
    // "P" may begin the preface or a POST: wait for the whole preface, or the first byte that differs.
    if (head.length === 0 || (http2Preface && n < HTTP2_PREFACE.length)) return;
    socket.off("readable", sniff);
    socket.unshift(head);
    (http2Preface ? http2 : http1).emit("connection", socket);
  });
  // A connection that closes before its first byte was never anyone's.
  socket.once("error", () => socket.destroy());
}
