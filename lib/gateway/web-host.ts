/**
 * Serves a Web handler (`Request` in, `Response` out) on a node:http request: the gateway's
 * endpoints, which server.ts answers itself before Next's request handler.
 *
 * The adaptation is the least the handlers need: a `Request` whose body is read from the socket
 * only when the handler asks for it (a request refused before that is not read; the rest of its
 * body is dropped after the answer; a body the handler gave up on, e.g. one over the size limit,
 * only for a while: see lingerThenClose), with a signal that aborts when the client goes away
 * (both through the node host's side, lib/server/node-host.ts), and a `Response` whose body is
 * written as it is produced, waiting when the socket is full and cancelled when the client leaves:
 * the bytes or stream writer a handler left beside it for the host, or else its Web body.
 *
 * No `server-only` import here: server.ts loads this module outside Next's bundler.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { errorAnswer, GatewayError } from "@/lib/errors";
import { logger } from "@/lib/server/logger";
import { attachNodeHost, ClientGone, nodeAnswerOf, type ClientSignal } from "@/lib/server/node-host";
import { pathProtocol } from "./client-protocol";
import { newRequestId } from "./request-id";

export type WebHandler = (request: Request) => Promise<Response>;

/**
 * Answers `req` with `handler`. `origin` is the scheme and host the request URL is given (only
 * its path and query matter to the handlers; the Host header is the client's to choose). Never
 * rejects: whatever goes wrong ends in an answer or a closed connection, and is logged.
 */
export async function serveWebHandler(req: IncomingMessage, res: ServerResponse, handler: WebHandler, origin: string): Promise<void> {
  const gone = new ClientGone();
  res.once("close", () => {
    if (!res.writableFinished) gone.abort();
  });
  const body: BodyState = { cancelled: false };
  try {
    let request: Request;
    try {
      request = toRequest(req, origin, gone, body);
    } catch {
      // A request target Node's parser let through but a URL refuses.
      answerError(res, new GatewayError("invalid_request", { reason: "the request line or a header cannot be read" }), pathOf(req.url));
      return;
    }
    let response: Response;
    try {
      response = await handler(request);
    } catch (err) {
      // Handlers answer their own errors; this is a bug, and the client is told nothing of it.
      logger.error({ err, path: pathOf(req.url) }, "request handler failed");
      answerError(res, new GatewayError("internal_error"), pathOf(req.url));
      return;
    }
    await writeResponse(res, response, gone);
  } catch (err) {
    logger.error({ err, path: pathOf(req.url) }, "writing the answer failed");
    res.destroy();
  } finally {
    // Whatever of the body the handler left unread is read and dropped, as Node does for a request
    // nobody reads: the next request on a keep-alive connection comes after it. A body the handler
    // gave up on (over the size limit) may never end, so that one is dropped only for a while.
    if (!req.complete) {
      req.removeAllListeners("data");
      if (body.cancelled) lingerThenClose(req);
      else req.resume();
    }
  }
}

/** How long a refused body may pause, how long and how much more of it is read before the connection is cut. */
export const LINGER = { idleMs: 2_000, totalMs: 30_000, maxBytes: 64 * 1024 * 1024 } as const;

/**
 * After a body was refused part way (over the size limit): keep reading and dropping what the
 * client still sends, so that it finishes its upload and reads the answer instead of being reset
 * in the middle of it (closing a socket with unread data resets it), then cut the connection when
 * the client pauses, or after LINGER's time or bytes: a body refused for its size may be endless.
 * nginx's lingering close does the same.
 */
function lingerThenClose(req: IncomingMessage): void {
  let dropped = 0;
  const cut = () => {
    clearTimeout(idle);
    clearTimeout(total);
    req.socket.destroy();
  };
  let idle = setTimeout(cut, LINGER.idleMs);
  const total = setTimeout(cut, LINGER.totalMs);
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER.maxBytes) return cut();
    clearTimeout(idle);
    idle = setTimeout(cut, LINGER.idleMs);
  });
  req.once("end", () => {
    clearTimeout(idle);
    clearTimeout(total);
  });
  req.resume();
}

/** A refusal from the one error table, shaped for the path's protocol, with a request id of its own. */
function answerError(res: ServerResponse, error: GatewayError, path: string): void {
  const answer = errorAnswer(error, pathProtocol(path, null, null), newRequestId());
  writeBytes(res, answer.status, answer.headers, Buffer.from(answer.body));
}

/** Node's limit on the size of a request's headers (`--max-http-header-size`, 16 KiB by default). */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * The server's `clientError` listener: a request Node's parser refused before any handler saw it.
 * Headers over the limit are 431 `headers_too_large`, anything else malformed 400
 * `invalid_request`, both as JSON in the shape of the protocol the request line's path names
 * (OpenAI's when it cannot be read); a timeout is 408 as Node answers it; a reset socket is closed.
 */
export function answerClientError(err: Error & { code?: string; rawPacket?: unknown }, socket: Duplex): void {
  if (err.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    socket.end("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
    return;
  }
  const error =
    err.code === "HPE_HEADER_OVERFLOW"
      ? new GatewayError("headers_too_large", { maxBytes: MAX_HEADER_BYTES })
      : new GatewayError("invalid_request", { reason: "the request line or its headers cannot be read" });
  const packet = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.subarray(0, 2048).toString("latin1") : "";
  const target = /^[A-Z]+ (\S+) HTTP\//.exec(packet)?.[1] ?? "";
  const answer = errorAnswer(error, pathProtocol(pathOf(target), null, null), newRequestId());
  const head = [`HTTP/1.1 ${answer.status} ${answer.status === 431 ? "Request Header Fields Too Large" : "Bad Request"}`];
  for (const [name, value] of answer.headers) head.push(`${name}: ${value}`);
  head.push(`content-length: ${Buffer.byteLength(answer.body)}`, "connection: close");
  socket.end(`${head.join("\r\n")}\r\n\r\n${answer.body}`);
}

/** The path of a request target, without the query (which may hold a key). */
export function pathOf(url: string | undefined): string {
  if (!url) return "";
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}

/** Whether the handler gave up on the request body before its end (refused it for its size). */
interface BodyState {
  cancelled: boolean;
}

/**
 * The handler's `Request`: method, URL and headers, no Web body and no signal of its own. The
 * body and the "client gone" signal come through the node host's side (node-host.ts): the body is
 * read from the socket only when the handler asks for it, so a request refused before that never
 * starts reading it.
 *
 * It is not a Web `Request` but what the gateway's handlers read of one — `method`, `url` and
 * `headers.get`/`has` — straight from Node's parsed request. Building a `Request` and its
 * `Headers` (every value copied and checked again after Node's parser checked it) was the dearest
 * object of a gateway request, some 10 µs each, for a few header reads.
 */
function toRequest(req: IncomingMessage, origin: string, signal: ClientSignal, state: BodyState): Request {
  // Node's parser has checked the request line and headers; what a URL would still refuse is
  // refused here, as a Request would, rather than deep in a handler that parses it.
  const url = origin + req.url;
  if (!URL.canParse(url)) throw new TypeError("the request URL cannot be parsed");
  const request = new HostedRequest(req.method ?? "GET", url, new NodeRequestHeaders(req.headers));
  attachNodeHost(request as unknown as Request, {
    signal,
    readBody: (maxBytes) => readBody(req, state, maxBytes),
    refuseBody: () => {
      state.cancelled = true;
    },
  });
  return request as unknown as Request;
}

/** A request under this host: see toRequest. */
class HostedRequest {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: NodeRequestHeaders,
  ) {}
}

/**
 * A request's headers as a Web `Headers` reads them, from Node's record: server.ts has already set
 * the client-IP headers there (lib/server/client-ip.ts) and removed what a client may not send.
 * Node joins a repeated header into one value (with ", ", as `Headers.get` does) but for the few
 * it keeps as lists (Set-Cookie), joined here the same way.
 */
export class NodeRequestHeaders {
  constructor(private readonly incoming: IncomingMessage["headers"]) {}

  // A value is a string or a list of them: anything else ("constructor" and the like, from the
  // record's prototype) is no header.
  get(name: string): string | null {
    const value: unknown = this.incoming[name.toLowerCase()];
    if (typeof value === "string") return value;
    return Array.isArray(value) ? value.join(", ") : null;
  }

  has(name: string): boolean {
    const value: unknown = this.incoming[name.toLowerCase()];
    return typeof value === "string" || Array.isArray(value);
  }
}

/** The request body, up to `maxBytes`: see NodeHostRequest.readBody. */
function readBody(req: IncomingMessage, state: BodyState, maxBytes: number): Promise<Uint8Array | "too_large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      // Nothing more is kept; serveWebHandler drops the rest for a while once the answer is written.
      done();
      req.pause();
      state.cancelled = true;
      resolve("too_large");
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    // The client went away before the body ended.
    const onClose = () => {
      done();
      reject(new Error("the client closed the connection before its body ended"));
    };
    if (req.readableEnded) return resolve(new Uint8Array(0));
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onError);
    req.once("close", onClose);
  });
}

async function writeResponse(res: ServerResponse, response: Response, clientGone: ClientSignal): Promise<void> {
  const hosted = nodeAnswerOf(response);
  if (clientGone.aborted) {
    // Nobody to answer: let the body's producer know (a stream's cancel ends its upstream call;
    // a stream writer told the client is gone does the same).
    if (typeof hosted?.body === "function") await hosted.body(res, clientGone);
    else if (!hosted) await response.body?.cancel().catch(() => undefined);
    return;
  }
  if (hosted) {
    const body = hosted.body;
    if (body instanceof Uint8Array) return writeBytes(res, hosted.status, hosted.headers, body);
    const flat = headerList(hosted.headers);
    try {
      res.writeHead(hosted.status, flat);
    } catch (err) {
      // A header Node refuses to send: the stream is never written, but its writer still settles
      // the exchange (told the client is gone, it ends the upstream call and the metering).
      const never = new ClientGone();
      never.abort();
      await body(res, never);
      throw err;
    }
    return body(res, clientGone);
  }
  res.writeHead(response.status, headerList(response.headers));
  const body = response.body;
  if (!body) {
    res.end();
    return;
  }
  const reader = body.getReader();
  const onGone = () => void reader.cancel().catch(() => undefined);
  clientGone.addEventListener("abort", onGone, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (clientGone.aborted) return;
      if (!res.write(value)) await writable(res);
    }
    res.end();
  } catch (err) {
    // The body failed after the status was sent (an upstream dropped mid-stream): the handler has
    // logged and billed it; the client sees the connection end without the stream's last event.
    if (!clientGone.aborted) logger.debug({ err }, "response body ended with an error");
    res.destroy();
  } finally {
    clientGone.removeEventListener("abort", onGone);
  }
}

/** An answer whose body is all there (a handler's bytes, a refusal): sent with a Content-Length. */
function writeBytes(res: ServerResponse, status: number, headers: [string, string][], body: Uint8Array): void {
  const flat = headerList(headers);
  flat.push("content-length", String(body.byteLength));
  res.writeHead(status, flat);
  res.end(body);
}

/** An answer's header pairs as writeHead takes them, flat, with nosniff in place of any the answer has. */
function headerList(headers: Iterable<[string, string]>): string[] {
  // Answers are JSON or event streams, never to be sniffed into anything a browser would run.
  const flat: string[] = ["x-content-type-options", "nosniff"];
  for (const [name, value] of headers) if (name !== "x-content-type-options") flat.push(name, value);
  return flat;
}

/** Resolves when the socket takes more data, or when it is gone. */
function writable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}
