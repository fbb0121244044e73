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

/**
 * "The client went away", as the gateway reads it: a Web `AbortSignal` (under any host), or the
 * node host's `ClientGone`. undici takes either as an upstream call's signal: it needs no more
 * than these members.
 */
export interface ClientSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/**
 * The node host's `ClientSignal`: what an `AbortController` and its signal do for one listener or
 * two, without their cost on every request (an `EventTarget` with its event dispatch, some
 * microseconds to make and to add and remove a listener on Node 20).
 */
export class ClientGone implements ClientSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | null = null;

  /** Like an AbortSignal's: a listener added after the abort is never called. */
  addEventListener(_type: "abort", listener: () => void): void {
    if (!this.aborted) (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const listeners = this.listeners;
    const at = listeners ? listeners.indexOf(listener) : -1;
    if (at >= 0) listeners!.splice(at, 1);
  }

  /** Marks the client gone and tells each listener once. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException("This operation was aborted", "AbortError");
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners) for (const listener of listeners) listener();
  }
}

/** The host's side of a request. */
export interface NodeHostRequest {
  /** Aborts when the client goes away before its answer is written. */
  readonly signal: ClientSignal;
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
export type NodeBodyWriter = (res: ServerResponse, clientGone: ClientSignal) => Promise<void>;

/** An answer's body for the host: its bytes (sent with a Content-Length), or a writer for a stream. */
export type NodeBody = Uint8Array | NodeBodyWriter;

/** An answer as the host writes it: the status, the headers as name-value pairs, and the body. */
export interface NodeAnswer {
  status: number;
  headers: [string, string][];
  body: NodeBody;
}

const HOST = Symbol("gatehouse.nodeHost");
const ANSWER = Symbol("gatehouse.nodeAnswer");

type HostedRequest = Request & { [HOST]?: NodeHostRequest };

/** Attaches the host's side to a request it made (one without a Web body or signal). */
export function attachNodeHost(request: Request, host: NodeHostRequest): void {
  (request as HostedRequest)[HOST] = host;
}

/** The host's side of `request`, when a node:http host serves it. */
export function nodeHostOf(request: Request): NodeHostRequest | undefined {
  return (request as HostedRequest)[HOST];
}

/** The signal that aborts when the client goes away: the host's, or the request's own. */
export function clientSignal(request: Request): ClientSignal {
  return (request as HostedRequest)[HOST]?.signal ?? request.signal;
}

/**
 * An answer for the host. Nothing but the host reads it after the handler, besides its status
 * (for the request's log row): it is not a Web `Response`, whose `Headers` would be built from
 * the pairs only for the host to flatten them back into pairs for `writeHead`.
 */
class HostedAnswer {
  readonly [ANSWER]: NodeAnswer;

  constructor(answer: NodeAnswer) {
    this[ANSWER] = answer;
  }

  get status(): number {
    return this[ANSWER].status;
  }
}

/**
 * The answer to `request`: under a node host, the status, headers and `body` for the host to
 * write (see HostedAnswer); anywhere else, a `Response` with the Web body `webBody()` makes.
 */
export function hostedResponse(request: Request, body: NodeBody, webBody: () => BodyInit, init: { status: number; headers: [string, string][] }): Response {
  if (!(request as HostedRequest)[HOST]) return new Response(webBody(), init);
  return new HostedAnswer({ status: init.status, headers: init.headers, body }) as unknown as Response;
}

/** `hostedResponse` for an answer whose bytes are all in hand: the same bytes either way. */
export function hostedBytes(request: Request, bytes: Uint8Array, init: { status: number; headers: [string, string][] }): Response {
  return hostedResponse(request, bytes, () => bytes as Uint8Array<ArrayBuffer>, init);
}

/** What a handler left for the host in place of a Web `Response`, if it did. */
export function nodeAnswerOf(response: Response): NodeAnswer | undefined {
  return response instanceof HostedAnswer ? response[ANSWER] : undefined;
}
