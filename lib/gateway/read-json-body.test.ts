import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { GatewayError } from "@/lib/errors";
import { serveWebHandler } from "./web-host";
import { MAX_BODY_BYTES, readJsonBody } from "./read-json-body";
import { ClientGoneError } from "./gateway-call";

/**
 * A POST whose body sends `first` and then fails, as a socket closed mid-upload does: when the
 * client's `signal` aborts (the client left), or in a moment when `failsAlone` (it is still there).
 */
function brokenUpload(first: string, signal: AbortSignal, failsAlone = false): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(first));
      const fail = () => controller.error(new Error("aborted"));
      if (failsAlone) setTimeout(fail, 5);
      else signal.addEventListener("abort", fail);
    },
  });
  // @ts-expect-error -- a streamed request body needs `duplex` (Node's fetch), not yet in the DOM types
  return new Request("http://gateway.test/v1/chat/completions", { method: "POST", body, signal, duplex: "half" });
}

describe("readJsonBody", () => {
  it("reads and parses a JSON object", async () => {
    const request = new Request("http://gateway.test/v1/chat/completions", { method: "POST", body: '{"model":"m"}' });
    const { raw, body } = await readJsonBody(request);
    expect(body).toEqual({ model: "m" });
    expect(new TextDecoder().decode(raw)).toBe('{"model":"m"}');
  });

  it("treats a body cut off because the client left as the client gone (499), not a server error", async () => {
    const client = new AbortController();
    const request = brokenUpload('{"model":', client.signal);
    setTimeout(() => client.abort(), 1);
    await expect(readJsonBody(request)).rejects.toBeInstanceOf(ClientGoneError);
  });

  it("sees the client gone when its socket closes mid-upload through server.ts's host", async () => {
    let settle!: (err: unknown) => void;
    const seen = new Promise<unknown>((resolve) => (settle = resolve));
    const server = createServer((req, res) => {
      void serveWebHandler(
        req,
        res,
        async (request) => {
          settle(await readJsonBody(request).catch((err: unknown) => err));
          return new Response(null, { status: 499 });
        },
        "http://gateway.test",
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    try {
      const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
      socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"model":');
      setTimeout(() => socket.destroy(), 50);
      expect(await seen).toBeInstanceOf(ClientGoneError);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("passes on a body that fails while the client is still there", async () => {
    const request = brokenUpload('{"model":', new AbortController().signal, true);
    const error = await readJsonBody(request).catch((err: unknown) => err);
    expect(error).not.toBeInstanceOf(ClientGoneError);
    expect(error).toBeInstanceOf(Error);
  });

  it("refuses what is not a JSON object", async () => {
    for (const text of ["[1]", "not json", "null"]) {
      const request = new Request("http://gateway.test/v1/messages", { method: "POST", body: text });
      await expect(readJsonBody(request)).rejects.toBeInstanceOf(GatewayError);
    }
  });

  it("stops reading a chunked body at the limit and answers 413 (nothing past the limit is pulled)", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let pulled = 0;
    let cancelled = false;
    // No Content-Length: a body that would go on for ever, one MiB per pull.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    // @ts-expect-error -- a streamed request body needs `duplex` (Node's fetch), not yet in the DOM types
    const request = new Request("http://gateway.test/v1/chat/completions", { method: "POST", body, duplex: "half" });
    expect(request.headers.get("content-length")).toBeNull();
    const error = await readJsonBody(request).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("request_too_large");
    // The stream may be a chunk or two ahead of the reader (its queue), never more.
    expect(pulled).toBeLessThanOrEqual(MAX_BODY_BYTES + 3 * chunk.byteLength);
    expect(cancelled).toBe(true);
  });

  it("accepts a chunked body of exactly the limit and refuses one byte more", async () => {
    const limit = 1000;
    const chunked = (size: number) => {
      const text = `{"p":"${"x".repeat(size - 8)}"}`;
      expect(text.length).toBe(size);
      const bytes = new TextEncoder().encode(text);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 100) controller.enqueue(bytes.subarray(i, i + 100));
          controller.close();
        },
      });
      // @ts-expect-error -- a streamed request body needs `duplex` (Node's fetch), not yet in the DOM types
      return new Request("http://gateway.test/v1/messages", { method: "POST", body, duplex: "half" });
    };
    expect((await readJsonBody(chunked(limit), limit)).raw.byteLength).toBe(limit);
    await expect(readJsonBody(chunked(limit + 1), limit)).rejects.toMatchObject({ code: "request_too_large" });
  });

  it("refuses a declared Content-Length over the limit before reading anything", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(10));
      },
    });
    // @ts-expect-error -- a streamed request body needs `duplex` (Node's fetch), not yet in the DOM types
    const request = new Request("http://gateway.test/v1/messages", { method: "POST", body, duplex: "half", headers: { "content-length": "2000" } });
    await expect(readJsonBody(request, 1000)).rejects.toMatchObject({ code: "request_too_large" });
    expect(pulled).toBeLessThanOrEqual(1);
  });
});
