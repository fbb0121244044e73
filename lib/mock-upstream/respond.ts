/** Writing replies to the socket, including the faults that cut or refuse a connection. */
import type { ServerResponse } from "node:http";
import type { Reply } from "./types";
import { sleep } from "./util";

export interface Exchange {
  res: ServerResponse;
  /** Aborted when the response closes for any reason. */
  signal: AbortSignal;
  /** Called before the server itself cuts the connection, so the close is not blamed on the client. */
  markDropped(): void;
}

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
    ex.res.end(text);
    return;
  }
  // Announce the full length, send half: the client sees a body that ends early.
  ex.res.write(Buffer.from(text).subarray(0, Math.floor(length / 2)));
  dropConnection(ex);
}

async function sendStream(ex: Exchange, reply: Extract<Reply, { type: "stream" }>, transport: TransportOptions): Promise<void> {
  const { res, signal } = ex;
  const { frames } = reply;
  const delay = transport.chunkDelayMs ?? 0;
  const drop = transport.dropAfterChunks;
  res.writeHead(200, { "content-type": reply.contentType, "cache-control": "no-cache", ...reply.headers });

  if (delay <= 0) {
    // Without pacing, one write keeps a fast stream cheap for benchmarks.
    if (drop === undefined || drop >= frames.length) {
      res.end(frames.join(""));
      return;
    }
    // Cut once the bytes before the cut are on their way: Node 22+ holds a response's first writes
    // back until the next tick, and ending the socket sooner loses them (headers included).
    if (drop > 0) res.write(frames.slice(0, drop).join(""), () => dropConnection(ex));
    else {
      res.flushHeaders();
      setImmediate(() => dropConnection(ex));
    }
    return;
  }

  for (let i = 0; i < frames.length; i++) {
    if (i > 0) {
      await sleep(delay, signal);
      if (signal.aborted) return;
    }
    if (drop === i) {
      if (i === 0) res.flushHeaders();
      dropConnection(ex);
      return;
    }
    const frame = frames[i];
    if (frame !== undefined) res.write(frame);
  }
  res.end();
}

/**
 * Ends the TCP connection without the HTTP terminator (no final chunk, or fewer bytes than
 * content-length), which clients must report as a broken response. `end()` flushes what was
 * already written first, so the client receives the chunks before the cut.
 */
export function dropConnection(ex: Exchange): void {
  ex.markDropped();
  const socket = ex.res.socket;
  if (!socket) return;
  socket.once("finish", () => socket.destroy());
  socket.end();
}

/** Closes the socket at once, before any byte of a response. */
export function refuseConnection(ex: Exchange): void {
  ex.markDropped();
  ex.res.socket?.destroy();
}
