/** Writing replies to the socket, including the faults that cut or refuse a connection. */
import type { ServerResponse } from "node:http";
import { constants, type ServerHttp2Stream } from "node:http2";
import type { Reply } from "./types";
import { sleep } from "./util";

export interface Exchange {
  res: ServerResponse;
  /** Aborted when the response closes for any reason. */
  signal: AbortSignal;
  /** Called before the server itself cuts the connection, so the close is not blamed on the client. */
  markDropped(): void;
  /** Called with the size of each piece of the body handed to the response. */
  wrote?(bytes: number): void;
}

/** Generated frames are written in pieces of about this size. */
const GENERATED_WRITE_BYTES = 16 * 1024;

export interface TransportOptions {
  chunkDelayMs?: number;
  dropAfterChunks?: number;
}

export function sendReply(ex: Exchange, reply: Reply, transport: TransportOptions): Promise<void> | void {
  if (reply.type === "json") return sendJson(ex, reply.status, reply.body, reply.headers, transport.dropAfterChunks !== undefined);
  return sendStream(ex, reply, transport);
}

function sendJson(ex: Exchange, status: number, body: unknown, headers: Record<string, string> | undefined, cut: boolean): void {
  const text = JSON.stringify(body);
  const length = Buffer.byteLength(text);
  ex.res.writeHead(status, { "content-type": "application/json", "content-length": String(length), ...headers });
  if (!cut) {
    ex.wrote?.(length);
    ex.res.end(text);
    return;
  }
  // Announce the full length, send half: the client sees a body that ends early.
  ex.wrote?.(Math.floor(length / 2));
  ex.res.write(Buffer.from(text).subarray(0, Math.floor(length / 2)));
  dropConnection(ex);
}

async function sendStream(ex: Exchange, reply: Extract<Reply, { type: "stream" }>, transport: TransportOptions): Promise<void> {
  const { res } = ex;
  const { frames } = reply;
  const delay = transport.chunkDelayMs ?? 0;
  const drop = transport.dropAfterChunks;
  res.writeHead(200, { "content-type": reply.contentType, "cache-control": "no-cache", ...reply.headers });

  if (delay <= 0 && Array.isArray(frames)) {
    // Without pacing, one write keeps a fast stream cheap for benchmarks.
    if (drop === undefined || drop >= frames.length) {
      const body = frames.join("");
      ex.wrote?.(Buffer.byteLength(body));
      res.end(body);
      return;
    }
    // Cut once the bytes before the cut are on their way: Node 22+ holds a response's first writes
    // back until the next tick, and ending the socket sooner loses them (headers included).
    if (drop > 0) {
      const head = frames.slice(0, drop).join("");
      ex.wrote?.(Buffer.byteLength(head));
      res.write(head, () => dropConnection(ex));
    } else {
      res.flushHeaders();
      setImmediate(() => dropConnection(ex));
    }
    return;
  }
  await writeFrames(ex, frames, delay, drop);
}

/**
 * Paced frames (one write each, `delay` ms apart) or generated ones (gathered into writes of about
 * GENERATED_WRITE_BYTES): either way written only while the response takes them, waiting for
 * 'drain' otherwise, so a reader that stops reading stops the stream being produced.
 */
async function writeFrames(ex: Exchange, frames: Iterable<string>, delay: number, drop: number | undefined): Promise<void> {
  const { res, signal } = ex;
  let pending = "";
  const flush = async () => {
    if (pending === "") return;
    const piece = pending;
    pending = "";
    ex.wrote?.(Buffer.byteLength(piece));
    if (!res.write(piece)) await drained(res, signal);
  };
  let i = 0;
  for (const frame of frames) {
    if (i > 0 && delay > 0) {
      await sleep(delay, signal);
    }
    if (signal.aborted) return;
    if (drop === i) {
      await flush();
      if (i === 0) res.flushHeaders();
      dropConnection(ex);
      return;
    }
    pending += frame;
    if (delay > 0 || pending.length >= GENERATED_WRITE_BYTES) await flush();
    i++;
  }
  await flush();
  if (signal.aborted) return;
  res.end();
}

/** Resolves when the response takes more data, or when the exchange ends. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    res.once("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Ends the TCP connection without the HTTP terminator (no final chunk, or fewer bytes than
 * content-length), which clients must report as a broken response. `end()` flushes what was
 * already written first, so the client receives the chunks before the cut.
 */
export function dropConnection(ex: Exchange): void {
  ex.markDropped();
  const stream = http2Stream(ex);
  // Over HTTP/2 the cut is the stream's (RST_STREAM, after what was written); the connection carries others.
  if (stream) return void stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  const socket = ex.res.socket;
  if (!socket) return;
  socket.once("finish", () => socket.destroy());
  socket.end();
}

/** Closes the socket at once, before any byte of a response. */
export function refuseConnection(ex: Exchange): void {
  ex.markDropped();
  const stream = http2Stream(ex);
  if (stream) stream.close(constants.NGHTTP2_REFUSED_STREAM);
  else ex.res.socket?.destroy();
}

/** The exchange's HTTP/2 stream, when it came over HTTP/2 (Node's compatibility response has one). */
function http2Stream(ex: Exchange): ServerHttp2Stream | undefined {
  return (ex.res as unknown as { stream?: ServerHttp2Stream }).stream;
}
