import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ClientGone } from "@/lib/server/node-host";
import { callUpstream, classifyUpstreamError, splitUrl, type BodySink, type UpstreamResponse } from "./upstream-client";

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function upstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x`;
}

/** An upstream that streams `total` bytes in 64 KiB chunks as fast as the socket takes them; `written()` says how far it got. */
async function streamingUpstream(total: number): Promise<{ url: string; written: () => number }> {
  let written = 0;
  const url = await upstream((req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = Buffer.alloc(64 * 1024, 97);
    const more = () => {
      while (written < total) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", more);
      }
      res.end();
    };
    more();
  });
  return { url, written: () => written };
}

function call(url: string, signal: ClientGone | AbortSignal = new ClientGone()): Promise<UpstreamResponse> {
  return callUpstream({ url, headers: { "content-type": "application/json" }, body: "{}", signal, headersTimeoutMs: 5_000 });
}

/** A sink that keeps what it is given and says how it ended. */
function recorder(room: () => boolean = () => true) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let resolveEnd!: (outcome: unknown) => void;
  const ended = new Promise<unknown>((resolve) => (resolveEnd = resolve));
  const sink: BodySink = {
    data: (chunk) => {
      chunks.push(chunk);
      bytes += chunk.length;
      return room();
    },
    end: () => resolveEnd("end"),
    error: (err) => resolveEnd(err),
  };
  return { sink, chunks, ended, bytes: () => bytes };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("callUpstream", () => {
  it("answers with the status, the headers and the whole body, however late it is read", async () => {
    const url = await upstream((req, res) => {
      res.writeHead(201, { "content-type": "application/json", "retry-after": "3" });
      res.write('{"a":');
      res.end("1}");
    });
    const answer = await call(url);
    expect(answer.statusCode).toBe(201);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.headers["retry-after"]).toBe("3");
    // The body has arrived (and ended) before anyone reads it: it was kept.
    await sleep(50);
    expect((await answer.body.bytes()).toString()).toBe('{"a":1}');
  });

  it("pauses the upstream while the reader has no room, and resumes it on resume()", async () => {
    const total = 8 * 1024 * 1024;
    const { url, written } = await streamingUpstream(total);
    const answer = await call(url);
    let room = false;
    const reader = recorder(() => room);
    answer.body.pipe(reader.sink);
    await sleep(300);
    // Held back: what the socket buffers took, not the 8 MB.
    expect(reader.bytes()).toBeLessThan(total / 2);
    expect(written()).toBeLessThan(total);
    room = true;
    answer.body.resume();
    expect(await reader.ended).toBe("end");
    expect(reader.bytes()).toBe(total);
  });

  it("gives a reader that pauses on every chunk, as a Web stream's queue of one does, the whole body and no empty chunk", async () => {
    const total = 8 * 1024 * 1024;
    const { url } = await streamingUpstream(total);
    const answer = await call(url);
    // The reader queues what it is given and has no room once anything is queued; once it starts
    // reading, it takes a chunk at a time and resumes the upstream when the queue is empty.
    const queue: Buffer[] = [];
    let arrived = () => {};
    let bytes = 0;
    let empty = 0;
    let over = false;
    const ended = new Promise<unknown>((resolve) =>
      answer.body.pipe({
        data: (chunk) => {
          queue.push(chunk);
          arrived();
          return false;
        },
        end: () => resolve("end"),
        error: resolve,
      }),
    ).finally(() => {
      over = true;
      arrived();
    });
    await sleep(300);
    while (empty < 1000) {
      const chunk = queue.shift();
      if (chunk === undefined) {
        if (over) break;
        const next = new Promise<void>((resolve) => (arrived = resolve));
        answer.body.resume();
        await next;
      } else if (chunk.length === 0) empty += 1;
      else bytes += chunk.length;
      await Promise.resolve();
    }
    // undici's parser hands over an empty chunk when it is resumed at some points: a reader that
    // pauses on it again, before the socket is read, would resume and pause forever.
    expect(empty).toBe(0);
    expect(await ended).toBe("end");
    expect(bytes).toBe(total);
  });

  it("drops a short body, and ends the call on a body over the limit", async () => {
    const cut: string[] = [];
    const url = await upstream((req, res) => {
      res.on("close", () => {
        if (!res.writableFinished) cut.push(req.url!);
      });
      res.writeHead(500, { "content-type": "application/json" });
      if (req.url !== "/v1/x") return void res.end('{"error":"down"}');
      // 64 MB, written as the socket takes it: far more than the buffers between the two sides.
      const chunk = Buffer.alloc(64 * 1024, 120);
      let left = 1024;
      const more = () => {
        while (left > 0 && !res.destroyed) {
          left -= 1;
          if (!res.write(chunk)) return void res.once("drain", more);
        }
        res.end();
      };
      more();
    });
    const long = await call(url);
    await long.body.dump(64 * 1024);
    const short = await call(url.replace("/v1/x", "/v1/y"));
    await short.body.dump(64 * 1024);
    await sleep(100);
    // The long one's connection was closed before its 64 MB were sent; the short one was read whole.
    expect(cut).toEqual(["/v1/x"]);
  });

  it("tells a reader that throws on a chunk, or at the end, that the body failed", async () => {
    const url = await upstream((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end("data: one\n\n");
    });
    for (const where of ["data", "end"] as const) {
      const answer = await call(url);
      await sleep(50); // the whole body has arrived before the reader
      const outcome = await new Promise<unknown>((resolve) =>
        answer.body.pipe({
          data: () => {
            if (where === "data") throw new Error("data failed");
            return true;
          },
          end: () => {
            throw new Error("end failed");
          },
          error: resolve,
        }),
      );
      expect((outcome as Error).message).toBe(`${where} failed`);
    }
  });

  it("hands the reader an error when the upstream breaks off mid-body", async () => {
    const url = await upstream((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: one\n\n", () => setTimeout(() => res.destroy(), 20));
    });
    const answer = await call(url);
    const reader = recorder();
    answer.body.pipe(reader.sink);
    const outcome = await reader.ended;
    expect(outcome).toBeInstanceOf(Error);
    expect(Buffer.concat(reader.chunks).toString()).toBe("data: one\n\n");
  });

  it("is aborted by the client's signal before the call, while waiting for the headers and mid-body", async () => {
    const url = await upstream((req, res) => {
      if (req.url === "/v1/x") return; // never answers
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: one\n\n");
    });
    const before = new ClientGone();
    before.abort();
    expect(classifyUpstreamError(await call(url, before).catch((err: unknown) => err))).toBe("aborted");

    const waiting = new ClientGone();
    const pending = call(url, waiting).catch((err: unknown) => err);
    await sleep(50);
    waiting.abort();
    expect(classifyUpstreamError(await pending)).toBe("aborted");

    const midBody = new ClientGone();
    const answer = await call(url.replace("/v1/x", "/v1/y"), midBody);
    const reader = recorder();
    answer.body.pipe(reader.sink);
    await sleep(50);
    midBody.abort();
    expect(classifyUpstreamError(await reader.ended)).toBe("aborted");
  });

  it("ends with an AbortSignal's own reason (a timeout's TimeoutError)", async () => {
    const url = await upstream(() => undefined);
    const err = await call(url, AbortSignal.timeout(50)).catch((e: unknown) => e);
    expect((err as Error).name).toBe("TimeoutError");
  });

  it("reads nothing more once destroyed, and a destroyed call's connection is closed", async () => {
    let closed = false;
    const url = await upstream((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: one\n\n");
      res.on("close", () => (closed = true));
    });
    const answer = await call(url);
    const reader = recorder();
    answer.body.pipe(reader.sink);
    await sleep(50);
    answer.body.destroy();
    await sleep(100);
    expect(closed).toBe(true);
    const outcome = await Promise.race([reader.ended, sleep(100).then(() => "silent")]);
    expect(outcome).toBe("silent");
  });
});

describe("UpstreamBody.toWebStream", () => {
  /** Reads a stream to its end: the text, or the error it failed with after the text so far. */
  async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ text: string; error?: unknown }> {
    const reader = stream.getReader();
    let text = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return { text };
        text += Buffer.from(value).toString();
      }
    } catch (error) {
      return { text, error };
    }
  }

  it("pauses the upstream while nobody reads the stream, and passes the whole body once someone does", async () => {
    const total = 8 * 1024 * 1024;
    const { url, written } = await streamingUpstream(total);
    const answer = await call(url);
    const stream = answer.body.toWebStream();
    await sleep(300);
    // Held back: what the socket buffers took, not the 8 MB.
    expect(written()).toBeLessThan(total);
    const { text, error } = await readAll(stream);
    expect(error).toBeUndefined();
    expect(text.length).toBe(total);
  });

  it("passes each chunk through the map, and what the end hook leaves before it closes", async () => {
    const url = await upstream((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("one,", () => res.end("two,"));
    });
    const answer = await call(url);
    const seen: string[] = [];
    const stream = answer.body.toWebStream({
      map: (chunk) => [Buffer.from(chunk.toString().toUpperCase())],
      end: () => {
        seen.push("end");
        return [Buffer.from("done")];
      },
      error: () => seen.push("error"),
      cancel: () => seen.push("cancel"),
    });
    expect(await readAll(stream)).toEqual({ text: "ONE,TWO,done" });
    expect(seen).toEqual(["end"]);
  });

  it("ends the upstream call when the reader cancels", async () => {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const url = await upstream((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: one\n\n");
      res.on("close", () => closed());
    });
    const answer = await call(url);
    let cancelled = 0;
    const reader = answer.body.toWebStream({ cancel: () => (cancelled += 1) }).getReader();
    expect(Buffer.from((await reader.read()).value!).toString()).toBe("data: one\n\n");
    await reader.cancel();
    expect(cancelled).toBe(1);
    await connectionClosed;
  });

  it("errors the stream when the upstream breaks off mid-body, after what came before", async () => {
    const url = await upstream((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: one\n\n", () => setTimeout(() => res.destroy(), 20));
    });
    const answer = await call(url);
    const failures: Error[] = [];
    const { text, error } = await readAll(answer.body.toWebStream({ error: (err) => failures.push(err) }));
    expect(text).toBe("data: one\n\n");
    expect(error).toBeInstanceOf(Error);
    expect(failures).toEqual([error]);
  });
});

describe("splitUrl", () => {
  it("cuts an upstream URL into the origin and the path with its query, as new URL would", () => {
    for (const url of [
      "https://api.openai.com/v1/chat/completions",
      "http://127.0.0.1:4010/v1/messages?beta=true",
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
      "https://proxy.example.com/openai/v1/responses",
    ]) {
      const parsed = new URL(url);
      expect(splitUrl(url)).toEqual({ origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` });
    }
  });

  it("parses what is not a plain scheme://host/path (user info, a query before any path)", () => {
    expect(splitUrl("https://user:pw@example.com/v1/x")).toEqual({ origin: "https://example.com", path: "/v1/x" });
    expect(splitUrl("https://example.com?next=/v1")).toEqual({ origin: "https://example.com", path: "/?next=/v1" });
  });
});
