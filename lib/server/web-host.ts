/**
 * Serves a Web handler (`Request` in, `Response` out) on a node:http request: the gateway's
 * endpoints, which server.ts answers itself before Next's request handler.
 *
 * The adaptation is the least the handlers need: a `Request` whose body streams from the socket
 * when read (handlers that refuse a request never read it), whose signal aborts when the client
 * goes away, and a `Response` whose body is written chunk by chunk as it is produced, waiting
 * when the socket is full and cancelled when the client leaves.
 *
 * No `server-only` import here: server.ts loads this module outside Next's bundler.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { logger } from "./logger";

export type WebHandler = (request: Request) => Promise<Response>;

/**
 * Answers `req` with `handler`. `origin` is the scheme and host the request URL is given (only
 * its path and query matter to the handlers; the Host header is the client's to choose).
 */
export async function serveWebHandler(req: IncomingMessage, res: ServerResponse, handler: WebHandler, origin: string): Promise<void> {
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  let request: Request;
  try {
    request = toRequest(req, origin, abort.signal);
  } catch {
    // A request line or header value Node's parser let through but a URL or Headers refuses.
    res.writeHead(400, { "content-type": "application/json" });
    res.end('{"error":{"message":"malformed request"}}');
    return;
  }
  let response: Response;
  try {
    response = await handler(request);
  } catch (err) {
    // Handlers answer their own errors; this is a bug, and says nothing about it to the client.
    logger.error({ err, path: req.url?.split("?")[0] }, "request handler failed");
    if (!res.headersSent) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end('{"error":{"message":"internal error"}}');
    } else res.destroy();
    return;
  }
  await writeResponse(res, response, abort.signal);
}

function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Request {
  // From req.headers, as Next builds its requests: server.ts has already set the client-IP
  // headers there (lib/server/client-ip.ts) and removed what a client may not send.
  const headers = new Headers();
  const incoming = req.headers;
  for (const name in incoming) {
    const value = incoming[name];
    if (typeof value === "string") headers.append(name, value);
    else if (value) for (const item of value) headers.append(name, item);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(origin + req.url, {
    method,
    headers,
    signal,
    body: hasBody ? bodyStream(req) : null,
    // @ts-expect-error -- a streamed request body needs `duplex` (Node's fetch), not yet in the DOM types
    duplex: "half",
  });
}

/** The request body as a stream that starts reading the socket on the first pull. */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let attached = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (attached) {
        req.resume();
        return;
      }
      attached = true;
      req.on("data", (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.once("end", () => controller.close());
      req.once("error", (err) => controller.error(err));
    },
    cancel() {
      req.destroy();
    },
  });
}

async function writeResponse(res: ServerResponse, response: Response, clientGone: AbortSignal): Promise<void> {
  if (clientGone.aborted) {
    // Nobody to answer: let the body's producer know (a stream's cancel ends its upstream call).
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  const flat: string[] = [];
  response.headers.forEach((value, name) => {
    flat.push(name, value);
  });
  res.writeHead(response.status, flat);
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
