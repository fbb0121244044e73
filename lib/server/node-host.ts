/**
 * What a node:http host (lib/gateway/web-host.ts, as server.ts serves the gateway) offers a Web
 * handler beside its `Request`, and what the handler may hand back beside its `Response`, so that
 * neither side builds a Web stream only for the other to take it apart again.
 *
 * A Web `Request` with a streamed body and an abort signal, and a `Response` with a body, are
 * among the dearest objects of a gateway request on Node (each builds a `ReadableStream`, and a
 * signal given to a `Request` is followed through a chain of weak references); a stream's every
 * chunk then costs a few promises on each side. Through this channel the host gives the handler
 * the socket's body and its own "client gone" signal, and the handler gives the host bytes, or a
 * function that writes a stream to the socket as Node streams do (`pause` when the socket is full,
 * `resume` on `drain`).
 *
 * Under any other host (Next's route files, `npm run dev`, tests calling a handler) nothing is
 * attached: the handler reads `request.body` and `request.signal` and answers with an ordinary
 * Web body, through the same functions.
 *
 * No `server-only` import here: lib/server modules may be loaded outside Next's bundler.
 */
import type { ServerResponse } from "node:http";

/** The host's side of a request. */
export interface NodeHostRequest {
  /** Aborts when the client goes away before its answer is written. */
  readonly signal: AbortSignal;
  /**
   * The body, read from the socket up to `maxBytes`; `"too_large"` as soon as it passes them
   * (the host drops the rest for a while, then cuts the connection). Rejects when the client goes
   * away mid-upload.
   */
  readBody(maxBytes: number): Promise<Uint8Array | "too_large">;
  /** The body is refused unread (its declared length is over the limit). */
  refuseBody(): void;
}

/**
 * Writes an answer's body to the socket with its backpressure, and ends the answer (or destroys
 * the socket when the body fails part way). Resolves when the body is over, however it ended;
 * never rejects.
 */
export type NodeBodyWriter = (res: ServerResponse, clientGone: AbortSignal) => Promise<void>;

/** An answer's body for the host: its bytes (sent with a Content-Length), or a writer for a stream. */
export type NodeBody = Uint8Array | NodeBodyWriter;

const HOST = Symbol("gatehouse.nodeHost");
const BODY = Symbol("gatehouse.nodeBody");

type HostedRequest = Request & { [HOST]?: NodeHostRequest };
type HostedResponse = Response & { [BODY]?: NodeBody };

/** Attaches the host's side to a request it made (one without a Web body or signal). */
export function attachNodeHost(request: Request, host: NodeHostRequest): void {
  (request as HostedRequest)[HOST] = host;
}

/** The host's side of `request`, when a node:http host serves it. */
export function nodeHostOf(request: Request): NodeHostRequest | undefined {
  return (request as HostedRequest)[HOST];
}

/** The signal that aborts when the client goes away: the host's, or the request's own. */
export function clientSignal(request: Request): AbortSignal {
  return (request as HostedRequest)[HOST]?.signal ?? request.signal;
}

/**
 * The answer to `request`: under a node host, a `Response` without a Web body and `body` beside
 * it for the host to write; anywhere else, a `Response` with the Web body `webBody()` makes.
 */
export function hostedResponse(request: Request, body: NodeBody, webBody: () => BodyInit, init: ResponseInit): Response {
  if (!(request as HostedRequest)[HOST]) return new Response(webBody(), init);
  const response = new Response(null, init) as HostedResponse;
  response[BODY] = body;
  return response;
}

/** The body a handler left for the host beside `response`, if it did. */
export function nodeBodyOf(response: Response): NodeBody | undefined {
  return (response as HostedResponse)[BODY];
}
