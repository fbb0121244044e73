import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import {
  constants,
  createSecureServer,
  createServer as createH2cServer,
  type Http2ServerResponse,
  type Http2Server,
  type Http2SecureServer,
  type ServerHttp2Stream,
} from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ClientGone } from "@/lib/server/node-host";
import { startMockUpstream } from "@/lib/mock-upstream";
import { callUpstream, classifyUpstreamError, replaceUpstreamAgent, type BodySink, type UpstreamResponse } from "./upstream-client";

// Every call of this file goes through the HTTP/2 agent (UPSTREAM_HTTP2=on), trusting a
// certificate made for it; the configuration's agent is back afterwards.
let tlsDir: string;
let cert: { key: Buffer; cert: Buffer };

beforeAll(async () => {
  tlsDir = mkdtempSync(join(tmpdir(), "gatehouse-h2-"));
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"].concat([
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      join(tlsDir, "key.pem"),
      "-out",
      join(tlsDir, "cert.pem"),
    ]),
    { stdio: "ignore" },
  );
  cert = { key: readFileSync(join(tlsDir, "key.pem")), cert: readFileSync(join(tlsDir, "cert.pem")) };
  await replaceUpstreamAgent({ http2: true, tls: { ca: cert.cert } });
});

afterAll(async () => {
  await replaceUpstreamAgent();
  rmSync(tlsDir, { recursive: true, force: true });
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

type AnyServer = Http2Server | Http2SecureServer | HttpServer;

/** Listens on a free port and is closed after the test, its connections with it. */
async function listen<S extends AnyServer>(server: S, scheme: "http" | "https"): Promise<{ server: S; url: string; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<import("node:net").Socket>();
  server.on(scheme === "https" ? "secureConnection" : "connection", () => connections++);
  server.on("connection", (socket: import("node:net").Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x`, connections: () => connections };
}

/** An h2c upstream answering an event stream: `first` at once, `last` and the end `delayMs` later. */
function eventStreamUpstream(first: string, last: string, delayMs: number, onAnswer?: (res: Http2ServerResponse) => void) {
  return listen(
    createH2cServer((_req, res) => {
      onAnswer?.(res);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(first);
      setTimeout(() => res.end(last), delayMs);
    }),
    "http",
  );
}

function call(url: string, signal: ClientGone | AbortSignal = new ClientGone()): Promise<UpstreamResponse> {
  return callUpstream({ url, headers: { "content-type": "application/json" }, body: '{"n":1}', signal, headersTimeoutMs: 5_000 });
}

/** A sink that counts what it is given, has room while `room()` says so, and says how it ended. */
function counter(room: () => boolean = () => true) {
  let bytes = 0;
  let resolveEnd!: (outcome: unknown) => void;
  const ended = new Promise<unknown>((resolve) => (resolveEnd = resolve));
  const sink: BodySink = {
    data: (chunk) => {
      bytes += chunk.length;
      return room();
    },
    end: () => resolveEnd("end"),
    error: (err) => resolveEnd(err),
  };
  return { sink, ended, bytes: () => bytes };
}

/** Writes `total` bytes in 16 KiB pieces as fast as the stream takes them; counts what it handed over. */
function writeAll(stream: ServerHttp2Stream, total: number, progress: { written: number }): void {
  const piece = Buffer.alloc(16 * 1024, 97);
  const more = () => {
    while (progress.written < total) {
      progress.written += piece.length;
      if (!stream.write(piece)) return void stream.once("drain", more);
    }
    stream.end();
  };
  more();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("upstream calls over HTTP/2 (UPSTREAM_HTTP2=on)", () => {
  it("carries hundreds of calls at once on a few connections, each answer whole and its own", async () => {
    const h2c = await listen(
      createH2cServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk));
        req.on("end", () => {
          res.writeHead(200, { "content-type": "text/event-stream", "x-request-id": String(req.headers["x-n"]) });
          res.write(`data: ${body}\n\n`);
          setTimeout(() => res.end(`data: ${req.headers["x-n"]}\n\n`), 20);
        });
      }),
      "http",
    );
    // All at once, before any connection is up: a burst.
    const answers = await Promise.all(
      Array.from({ length: 250 }, async (_, n) => {
        const answer = await callUpstream({
          url: h2c.url,
          headers: { "x-n": String(n) },
          body: `{"n":${n}}`,
          signal: new ClientGone(),
          headersTimeoutMs: 5_000,
        });
        return { status: answer.statusCode, id: answer.headers["x-request-id"], text: await answer.body.text() };
      }),
    );
    answers.forEach((answer, n) => {
      expect(answer.status).toBe(200);
      expect(answer.id).toBe(String(n));
      expect(answer.text).toBe(`data: {"n":${n}}\n\ndata: ${n}\n\n`);
    });
    // 100 streams a connection: 250 calls need three, not 250 sockets (undici's Pool opened 151).
    expect(h2c.connections()).toBeLessThanOrEqual(3);
  });

  it("holds back a stream whose reader has no room, while the other streams of its connection flow", async () => {
    const total = 8 * 1024 * 1024;
    const slow = { written: 0 };
    const fast = { written: 0 };
    const h2c = await listen(
      createH2cServer((req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        writeAll(res.stream, total, req.headers["x-slow"] ? slow : fast);
      }),
      "http",
    );
    const held = await callUpstream({ url: h2c.url, headers: { "x-slow": "1" }, body: "{}", signal: new ClientGone(), headersTimeoutMs: 5_000 });
    let room = false;
    const reader = counter(() => room);
    held.body.pipe(reader.sink);
    // The other call shares the connection and is read in full while the first is held.
    const other = counter();
    (await call(h2c.url)).body.pipe(other.sink);
    expect(await other.ended).toBe("end");
    expect(other.bytes()).toBe(total);
    await sleep(200);
    // The held stream: its window (64 KiB) and Node's buffers, not the answer.
    expect(slow.written).toBeLessThan(512 * 1024);
    expect(reader.bytes()).toBeLessThan(512 * 1024);
    expect(h2c.connections()).toBe(1);
    room = true;
    held.body.resume();
    expect(await reader.ended).toBe("end");
    expect(reader.bytes()).toBe(total);
  });

  it("ends a stream whose client went away, and its connection serves the next call", async () => {
    const closed: boolean[] = [];
    const h2c = await listen(
      createH2cServer((req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: first\n\n");
        res.stream.once("close", () => closed.push(res.stream.aborted));
        if (!req.headers["x-hang"]) res.end();
      }),
      "http",
    );
    const client = new ClientGone();
    const answer = await callUpstream({ url: h2c.url, headers: { "x-hang": "1" }, body: "{}", signal: client, headersTimeoutMs: 5_000 });
    const reader = counter();
    answer.body.pipe(reader.sink);
    await sleep(50);
    client.abort();
    expect(await reader.ended).toBeInstanceOf(Error);
    await expect.poll(() => closed.length).toBe(1);
    // The stream was reset before its end (the server never ended it), and only the stream.
    expect(closed[0]).toBe(true);
    expect((await (await call(h2c.url)).body.text()).startsWith("data: first")).toBe(true);
    expect(h2c.connections()).toBe(1);
  });

  it("lets the streams in flight finish when the upstream says it is going away (GOAWAY), and opens a new connection for the next call", async () => {
    const sessions = new Set<import("node:http2").Http2Session>();
    const h2c = await eventStreamUpstream("data: one\n\n", "data: two\n\n", 150, (res) => sessions.add(res.stream.session!));
    const inFlight = await Promise.all(Array.from({ length: 10 }, () => call(h2c.url)));
    // The upstream's graceful close: GOAWAY with NO_ERROR, the streams it has accepted to finish.
    for (const session of sessions) session.close();
    const bodies = await Promise.all(inFlight.map((answer) => answer.body.text()));
    expect(bodies).toEqual(bodies.map(() => "data: one\n\ndata: two\n\n"));
    expect(await (await call(h2c.url)).body.text()).toBe("data: one\n\ndata: two\n\n");
    expect(h2c.connections()).toBe(2);
  });

  it("fails an answer the upstream cut off, by a dead connection or short of its content-length, rather than ending it", async () => {
    const h2c = await listen(
      createH2cServer((req, res) => {
        res.stream.on("error", () => {});
        if (req.headers["x-cut"] === "connection") {
          res.writeHead(200, { "content-type": "text/event-stream" });
          res.write("data: one\n\n");
          setTimeout(() => res.stream.session?.destroy(), 50);
        } else {
          res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
          res.write('{"partial":');
          setTimeout(() => res.stream.close(), 50);
        }
      }),
      "http",
    );
    for (const cut of ["connection", "length"]) {
      const answer = await callUpstream({ url: h2c.url, headers: { "x-cut": cut }, body: "{}", signal: new ClientGone(), headersTimeoutMs: 5_000 });
      expect(answer.statusCode).toBe(200);
      const reader = counter();
      answer.body.pipe(reader.sink);
      const outcome = await reader.ended;
      expect(outcome, cut).toBeInstanceOf(Error);
      expect(reader.bytes(), cut).toBeGreaterThan(0);
    }
  });

  it("keeps to an upstream's lower limit of streams a connection, opening more connections instead of queueing", async () => {
    const h2c = await listen(
      createH2cServer({ settings: { maxConcurrentStreams: 2 } }, (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        setTimeout(() => res.end("data: done\n\n"), 300);
      }),
      "http",
    );
    // The first call learns the limit from the upstream's settings.
    await (await call(h2c.url)).body.dump();
    const started = Date.now();
    await Promise.all(Array.from({ length: 6 }, async () => (await call(h2c.url)).body.dump()));
    // Six at once on connections of two: all together (about 300 ms), not two at a time (900 ms).
    expect(Date.now() - started).toBeLessThan(750);
    expect(h2c.connections()).toBe(3);
  });

  it("frees a stream's place when its reader goes away after the upstream finished but before it was read", async () => {
    const h2c = await eventStreamUpstream("data: one\n\n", `data: ${"x".repeat(8 * 1024)}\n\n`, 30);
    // A hundred readers with no room after the first chunk: the rest of each answer and its end
    // arrive (within the stream's window) and wait unread.
    const answers = await Promise.all(Array.from({ length: 100 }, () => call(h2c.url)));
    for (const answer of answers) answer.body.pipe(counter(() => false).sink);
    await sleep(100);
    for (const answer of answers) answer.body.destroy();
    await sleep(50);
    // Their places are free again: the next call shares the same connection.
    expect(await (await call(h2c.url)).body.text()).toContain("data: x");
    expect(h2c.connections()).toBe(1);
  });

  it("fails the call with the error of a reader that throws, and nothing escapes", async () => {
    const h2c = await eventStreamUpstream("data: one\n\n", "data: two\n\n", 50);
    const answer = await call(h2c.url);
    let resolveError!: (err: unknown) => void;
    const failed = new Promise((resolve) => (resolveError = resolve));
    answer.body.pipe({
      data: () => {
        throw new Error("the reader broke");
      },
      end: () => resolveError("end"),
      error: resolveError,
    });
    expect(((await failed) as Error).message).toBe("the reader broke");
  });

  it("sends a call the upstream refused unprocessed (REFUSED_STREAM) once more", async () => {
    let seen = 0;
    const h2c = await listen(
      createH2cServer((_req, res) => {
        if (++seen === 1) return void res.stream.close(constants.NGHTTP2_REFUSED_STREAM);
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("second time");
      }),
      "http",
    );
    expect(await (await call(h2c.url)).body.text()).toBe("second time");
    expect(seen).toBe(2);
  });

  it("negotiates HTTP/2 over TLS, and refuses an upstream that offers only HTTP/1.1", async () => {
    const secure = await listen(
      createSecureServer(cert, (_req, res) => res.end(`over ${_req.httpVersion}`)),
      "https",
    );
    expect(await (await call(secure.url)).body.text()).toBe("over 2.0");

    const http1Only = await listen(
      createHttpsServer(cert, (_req, res) => res.end("over 1.1")),
      "https",
    );
    const refusal = await call(http1Only.url).then(
      () => null,
      (err: unknown) => err,
    );
    expect((refusal as { code?: string }).code).toBe("UPSTREAM_NO_HTTP2");
    expect((refusal as Error).message).toContain("does not speak HTTP/2");
    // Failover and the circuit breaker treat it as a connection that could not be made.
    expect(classifyUpstreamError(refusal)).toBe("connect");
  });

  it("fails a call to a plain-http upstream that speaks only HTTP/1.1, as a connection failure", async () => {
    const http1 = await listen(
      createHttpServer((_req, res) => res.end("over 1.1")),
      "http",
    );
    const failure = await call(http1.url).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(classifyUpstreamError(failure)).toBe("connect");
  });

  it("streams the bundled mock upstream's answers, which speaks HTTP/1.1 and HTTP/2 on one port", async () => {
    const mock = await startMockUpstream({ record: true });
    closers.push(() => mock.close());
    const answer = await callUpstream({
      url: `${mock.url}/v1/chat/completions`,
      headers: { authorization: "Bearer up", "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true }),
      signal: new ClientGone(),
      headersTimeoutMs: 5_000,
    });
    expect(answer.statusCode).toBe(200);
    const text = await answer.body.text();
    expect(text).toContain("data: [DONE]");
    expect(mock.requests[0]?.headers[":method"]).toBe("POST");
  });
});
