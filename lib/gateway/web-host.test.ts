import { createServer, request as httpRequest, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { generateApiKey } from "@/lib/credentials";
import { errorAnswer, errorResponse, GatewayError } from "@/lib/errors";
import { clientSignal, hostedResponse, type NodeBodyWriter } from "@/lib/server/node-host";
import { readLimitedBody } from "@/lib/server/read-limited-body";
import { createEmptyDatabase, type TestDatabase } from "@/test/databases";
import { serveGateway, setUpGateway, TEST_MODEL } from "@/test/gateway";
import { withGateway } from "./gateway-call";
import { clearUnknownKeyBlocks, countUnknownKey, UNKNOWN_KEY_LIMIT } from "./unknown-key-limit";
import { resetRateLimit } from "@/lib/limits";
import { readJsonBody } from "./read-json-body";
import { gatewayRoute } from "./routes";
import { answerClientError, LINGER, MAX_HEADER_BYTES, NodeRequestHeaders, serveWebHandler, type WebHandler } from "./web-host";

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(handler: WebHandler): Promise<string> {
  server = createServer((req, res) => {
    // What server.ts does to the request before a handler sees it.
    req.headers["x-gatehouse-client-ip"] = "203.0.113.9";
    void serveWebHandler(req, res, handler, "https://gate.example.com");
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("serveWebHandler", () => {
  it("gives the handler the method, the path and query on the configured origin, the headers as rewritten, and the body", async () => {
    let seen: { method: string; url: string; auth: string | null; ip: string | null; multi: string | null; body: string } | undefined;
    const base = await serve(async (request) => {
      seen = {
        method: request.method,
        url: request.url,
        auth: request.headers.get("authorization"),
        ip: request.headers.get("x-gatehouse-client-ip"),
        multi: request.headers.get("x-multi"),
        body: new TextDecoder().decode((await readLimitedBody(request, 1024)) as Uint8Array),
      };
      return new Response('{"ok":true}', {
        status: 201,
        headers: [
          ["content-type", "application/json"],
          ["x-request-id", "req_1"],
        ],
      });
    });
    const res = await fetch(`${base}/v1/messages?beta=true`, {
      method: "POST",
      headers: [
        ["authorization", "Bearer t"],
        ["x-multi", "a"],
        ["x-multi", "b"],
        ["host", "evil.example"],
      ],
      body: '{"model":"m"}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-request-id")).toBe("req_1");
    expect(await res.text()).toBe('{"ok":true}');
    expect(seen).toEqual({
      method: "POST",
      url: "https://gate.example.com/v1/messages?beta=true",
      auth: "Bearer t",
      ip: "203.0.113.9",
      multi: "a, b",
      body: '{"model":"m"}',
    });
  });

  it("drops the rest of a body when the handler refuses it unread, and answers the next request on the connection", async () => {
    let readBodies = 0;
    const base = await serve(async (request) => {
      if (request.method === "POST") return new Response("refused", { status: 401 });
      readBodies += 1;
      return new Response("next");
    });
    // Raw HTTP/1.1 on one socket: a refused upload of 2 MB, sent in full before anything is read
    // (as Python's requests does), and a second request behind it.
    const body = "x".repeat(2 * 1024 * 1024);
    const { port } = new URL(base);
    const answers = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1");
      let received = "";
      socket.setEncoding("latin1");
      socket.on("data", (data: string) => {
        received += data;
        if (received.includes("\r\n\r\nnext") || /0\r\n\r\n[\s\S]*0\r\n\r\n/.test(received)) {
          socket.end();
          resolve(received);
        }
      });
      socket.on("error", reject);
      setTimeout(() => reject(new Error(`no second answer; received: ${received.slice(0, 300)}`)), 5_000);
      socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body);
      socket.write("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
    });
    expect(answers).toMatch(/^HTTP\/1\.1 401/);
    expect(answers).toMatch(/HTTP\/1\.1 200[\s\S]*next/);
    expect(readBodies).toBe(1);
  });

  it("writes a streamed body chunk by chunk as it is produced", async () => {
    const second = deferred();
    const base = await serve(async () => {
      let step = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          step += 1;
          if (step === 1) controller.enqueue(new TextEncoder().encode("data: one\n\n"));
          else if (step === 2) {
            await second.promise;
            controller.enqueue(new TextEncoder().encode("data: two\n\n"));
          } else controller.close();
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    });
    const res = await fetch(`${base}/v1/chat/completions`, { method: "POST", body: "{}" });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    // The first event arrives while the handler's stream is still waiting to produce the second.
    expect(decoder.decode((await reader.read()).value)).toBe("data: one\n\n");
    second.resolve();
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += decoder.decode(value);
    }
    expect(rest).toBe("data: two\n\n");
  });

  it("aborts the request's signal and cancels the body when the client goes away", async () => {
    const aborted = deferred();
    const cancelled = deferred();
    const base = await serve(async (request) => {
      clientSignal(request).addEventListener("abort", () => aborted.resolve());
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("data: first\n\n"));
        },
        cancel() {
          cancelled.resolve();
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    });
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${base}/v1/chat/completions`, { method: "POST" }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", (err) => (err.message.includes("socket hang up") ? undefined : reject(err)));
      req.end("{}");
    });
    await Promise.all([aborted.promise, cancelled.promise]);
  });

  it("cancels the body of an answer that comes after the client left", async () => {
    const cancelled = deferred();
    const base = await serve(async (request) => {
      await new Promise((resolve) => clientSignal(request).addEventListener("abort", () => resolve(undefined)));
      const body = new ReadableStream<Uint8Array>({ cancel: () => cancelled.resolve() });
      return new Response(body);
    });
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${base}/v1/chat/completions`, { method: "POST" });
      req.on("error", () => resolve());
      req.end("{}", () => setTimeout(() => req.destroy(), 50));
    });
    await cancelled.promise;
  });

  it("sends the bytes a handler left for the host with a Content-Length", async () => {
    const base = await serve(async (request) =>
      hostedResponse(request, new TextEncoder().encode('{"ok":1}'), () => "not this one", {
        status: 200,
        headers: [
          ["content-type", "application/json"],
          ["x-request-id", "req_1"],
        ],
      }),
    );
    const res = await fetch(`${base}/v1/models`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-request-id")).toBe("req_1");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-length")).toBe("8");
    expect(res.headers.get("transfer-encoding")).toBeNull();
    expect(await res.text()).toBe('{"ok":1}');
  });

  it("writes a stream a handler left for the host with its writer", async () => {
    const base = await serve(async (request) => {
      const writer: NodeBodyWriter = async (res) => {
        res.write("data: one\n\n");
        res.end("data: two\n\n");
      };
      return hostedResponse(request, writer, () => "not this one", { status: 200, headers: [["content-type", "text/event-stream"]] });
    });
    const res = await fetch(`${base}/v1/chat/completions`, { method: "POST", body: "{}" });
    expect(await res.text()).toBe("data: one\n\ndata: two\n\n");
  });

  it("settles a stream whose headers Node refuses to send: its writer is told the answer will not be written", async () => {
    const told = deferred<boolean>();
    const base = await serve(async (request) =>
      hostedResponse(
        request,
        async (_res, gone) => told.resolve(gone.aborted),
        () => "",
        {
          status: 200,
          headers: [["x-gatehouse-dropped-tools", "bad\nvalue"]],
        },
      ),
    );
    const failed = await fetch(`${base}/v1/responses`, { method: "POST", body: "{}" }).then(
      () => false,
      () => true,
    );
    expect(await told.promise).toBe(true);
    expect(failed).toBe(true);
  });

  it("hands a stream writer the client's departure when it came before the answer", async () => {
    const told = deferred<boolean>();
    const late = await serve(async (request) => {
      await new Promise((resolve) => clientSignal(request).addEventListener("abort", () => resolve(undefined)));
      return hostedResponse(
        request,
        async (_res, gone) => told.resolve(gone.aborted),
        () => "",
        { status: 200, headers: [] },
      );
    });
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${late}/v1/chat/completions`, { method: "POST" });
      req.on("error", () => resolve());
      req.end("{}", () => setTimeout(() => req.destroy(), 50));
    });
    expect(await told.promise).toBe(true);
  });

  it("delivers a large body intact to a client that reads slowly (waits when the socket is full)", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(97);
    const chunks = 160; // 10 MB, far above the socket's buffers
    let produced = 0;
    const base = await serve(async () => {
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (produced === chunks) controller.close();
            else {
              produced += 1;
              controller.enqueue(chunk);
            }
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(body);
    });
    const received = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/v1/models`, (res) => {
        let total = 0;
        res.pause();
        // Not reading for a while: the server must stop producing rather than buffer it all.
        setTimeout(() => {
          expect(produced).toBeLessThan(chunks);
          res.on("data", (data: Buffer) => (total += data.length));
          res.on("end", () => resolve(total));
          res.resume();
        }, 200);
      });
      req.on("error", reject);
      req.end();
    });
    expect(received).toBe(chunk.length * chunks);
  });

  it("answers 500 without details when a handler throws", async () => {
    const base = await serve(async () => {
      throw new Error("secret detail sk-should-not-leak");
    });
    const res = await fetch(`${base}/v1/models`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("secret");
    // The one error table's internal_error, in the shape of the path's protocol (OpenAI here).
    expect(JSON.parse(text)).toMatchObject({ error: { code: "internal_error", type: "api_error" } });
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const expected = errorAnswer(new GatewayError("internal_error"), "openai", res.headers.get("x-request-id")!);
    expect(text).toBe(expected.body);
    for (const [name, value] of expected.headers) expect(res.headers.get(name), name).toBe(value);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
  });

  it("answers a chunked upload over the size limit with 413 and cuts the connection once the client pauses, without waiting for the rest", async () => {
    const limit = 64 * 1024;
    const base = await serve(async (request) => {
      try {
        await readJsonBody(request, limit);
        return new Response("{}");
      } catch (err) {
        return errorResponse(err, "anthropic", "req_test");
      }
    });
    const { port } = new URL(base);
    const socket = connect(Number(port), "127.0.0.1");
    let answer = "";
    const chunk = "x".repeat(16 * 1024);
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (data: Buffer) => (answer += data.toString("latin1")));
    socket.on("error", () => undefined);
    // 256 KiB of a body that never ends (no last chunk): the server must not wait for the rest.
    socket.write("POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (let i = 0; i < 16; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeLessThan(LINGER.idleMs + 3_000);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"type":"request_too_large"');
  });

  it("reads and drops the rest of a body refused for its declared size, so the client gets the 413 and not a reset", async () => {
    const limit = 64 * 1024;
    const base = await serve(async (request) => {
      try {
        await readJsonBody(request, limit);
        return new Response("{}");
      } catch (err) {
        return errorResponse(err, "openai", "req_test");
      }
    });
    // 40 MiB declared and sent, as fetch sends it (more than the sockets buffer): the answer arrives, the upload is not cut.
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "x".repeat(40 * 1024 * 1024),
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("request_too_large");
    }
  });

  it("answers headers over Node's limit with JSON 431 headers_too_large, and a request it cannot parse with JSON 400", async () => {
    const base = await serve(async () => new Response("{}"));
    server!.on("clientError", answerClientError);
    const { port } = new URL(base);
    const exchange = (raw: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(port), "127.0.0.1");
        let answer = "";
        socket.on("data", (data: Buffer) => (answer += data.toString("latin1")));
        socket.on("error", () => undefined);
        socket.once("close", () => resolve(answer));
        socket.write(raw);
      });
    const big = await exchange(`POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: ${"k".repeat(MAX_HEADER_BYTES + 1024)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    const bigBody = JSON.parse(big.slice(big.indexOf("\r\n\r\n") + 4)) as { type: string; error: { type: string; code: string } };
    // The request line named an Anthropic path: Anthropic's shape.
    expect(bigBody).toMatchObject({ type: "error", error: { type: "request_too_large", code: "headers_too_large" } });
    expect(big).not.toContain("kkkk");

    const garbled = await exchange("NOT A REQUEST\r\n\r\n");
    expect(garbled).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(garbled.slice(garbled.indexOf("\r\n\r\n") + 4))).toMatchObject({ error: { code: "invalid_request", type: "invalid_request_error" } });

    const control = await exchange("GET /v1/models HTTP/1.1\r\nHost: x\r\nx-bad: a\u0001b\r\n\r\n");
    expect(control).toMatch(/^HTTP\/1\.1 400 /);
  });
});

describe("the read-only endpoints' JSON answers", () => {
  let t: TestDatabase;
  let env: Awaited<ReturnType<typeof setUpGateway>>;
  let gateway: Awaited<ReturnType<typeof serveGateway>>;
  let key: string;

  beforeAll(async () => {
    t = await createEmptyDatabase("postgres");
    env = await setUpGateway("web-host-json", t.location);
    gateway = await serveGateway();
    ({ key } = await env.order({ name: "Web host JSON", rpm: 100_000 }));
  }, 60_000);
  afterEach(() => vi.useRealTimers());
  afterAll(async () => {
    await gateway?.close();
    await env?.tearDown();
    await t?.drop();
  });

  /**
   * What a client reads of an answer: its status, its headers but those of the host's own
   * (Content-Length, nosniff, the connection's) and its body, with its request id (one per request)
   * named alike, and the body's bytes before that.
   */
  async function asRead(res: Response) {
    const id = res.headers.get("x-request-id")!;
    const hostOwn = new Set(["content-length", "x-content-type-options", "date", "connection", "keep-alive"]);
    const headers = [...res.headers].filter(([name]) => !hostOwn.has(name)).map(([name, value]) => [name, value.replaceAll(id, "{id}")]);
    const bytes = Buffer.from(await res.arrayBuffer());
    // The key's status counts this month's requests, these among them as the usage writer gets to them.
    const body = bytes
      .toString()
      .replaceAll(id, "{id}")
      .replace(/"requests":\d+/, '"requests":0');
    return { read: { status: res.status, headers, body }, byteLength: bytes.byteLength };
  }

  it("are the same bytes and headers under the host, written as they are, as in a Web Response", async () => {
    // A key's status reads the clock (time left, periods, runway): one instant for both answers.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const cases: [path: string, headers: Record<string, string>][] = [
      ["/v1/models", { authorization: `Bearer ${key}` }],
      ["/v1/models", { "x-api-key": key, "anthropic-version": "2023-06-01" }],
      ["/v1/models", { "x-goog-api-key": key }],
      [`/v1/models/${TEST_MODEL}`, { authorization: `Bearer ${key}` }],
      [`/v1/models/${TEST_MODEL}`, { "x-api-key": key, "anthropic-version": "2023-06-01" }],
      ["/v1beta/models", { "x-goog-api-key": key }],
      [`/v1beta/models/${TEST_MODEL}`, { "x-goog-api-key": key }],
      ["/v1/key", { authorization: `Bearer ${key}` }],
    ];
    for (const [path, headers] of cases) {
      const hosted = await fetch(`${gateway.url}${path}`, { headers });
      const web = await gatewayRoute("GET", path)!(
        new Request(`https://gate.example.com${path}`, { headers: { ...headers, "x-gatehouse-client-ip": "127.0.0.1" } }),
      );
      // The host sends the answer's bytes as they are: with their length, not chunked from a stream.
      expect(hosted.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(hosted.headers.get("transfer-encoding"), path).toBeNull();
      const host = await asRead(hosted);
      expect(hosted.headers.get("content-length"), path).toBe(String(host.byteLength));
      expect(host.read.status, path).toBe(200);
      expect(host.read, path).toEqual((await asRead(web)).read);
    }
  });

  it("writes a gateway refusal as its bytes and headers, as its Response would carry them", async () => {
    // A refusal that is counted but not logged (a blocked flood of unknown keys), from the handler.
    const refusal = () => new GatewayError("rate_limit_exceeded", { limit: 30, unit: "unknown_keys", retryAfterSeconds: 7, headers: { "X-Extra": "1" } });
    const base = await serve((request) =>
      withGateway(request, { protocol: "anthropic", endpoint: "/v1/messages" }, async () => {
        throw refusal();
      }),
    );
    const res = await fetch(`${base}/v1/messages`, { method: "POST", body: "{}", headers: { authorization: `Bearer ${key}` } });
    const expected = errorResponse(refusal(), "anthropic", res.headers.get("x-request-id")!);
    expect(res.status).toBe(expected.status);
    for (const name of ["content-type", "cache-control", "retry-after", "x-extra", "request-id"]) {
      expect(res.headers.get(name), name).toBe(expected.headers.get(name));
    }
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(await expected.clone().text())));
    expect(await res.json()).toEqual(await expected.json());
  });

  it("answer a refused key with the same bytes and headers under the host as in a Web Response: missing, made up, and from a blocked client", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const made = generateApiKey();
    const cases: [label: string, headers: Record<string, string>, status: number][] = [
      ["missing", {}, 401],
      ["made up", { authorization: `Bearer ${made}` }, 401],
    ];
    const compare = async ([label, headers, status]: (typeof cases)[number]) => {
      const hosted = await fetch(`${gateway.url}/v1/models`, { headers });
      const web = await gatewayRoute("GET", "/v1/models")!(
        new Request("https://gate.example.com/v1/models", { headers: { ...headers, "x-gatehouse-client-ip": "127.0.0.1" } }),
      );
      expect(hosted.headers.get("transfer-encoding"), label).toBeNull();
      const host = await asRead(hosted);
      expect(host.read.status, label).toBe(status);
      expect(host.read, label).toEqual((await asRead(web)).read);
    };
    for (const c of cases) await compare(c);
    try {
      for (let i = 0; i <= UNKNOWN_KEY_LIMIT.points; i++) countUnknownKey("127.0.0.1");
      await compare(["blocked", { authorization: `Bearer ${generateApiKey()}` }, 429]);
    } finally {
      clearUnknownKeyBlocks();
      await resetRateLimit(UNKNOWN_KEY_LIMIT, "127.0.0.1");
    }
  });

  it("answers a refused key without entering the endpoint's handler", async () => {
    const handler = vi.fn(async () => new Response("{}"));
    const spec = { protocol: "openai", endpoint: "/v1/chat/completions" } as const;
    const headers = { "x-gatehouse-client-ip": "198.51.100.7" };
    const missing = await withGateway(new Request("https://gate.example.com/v1/chat/completions", { method: "POST", headers }), spec, handler);
    const unknown = await withGateway(
      new Request("https://gate.example.com/v1/chat/completions", { method: "POST", headers: { ...headers, authorization: `Bearer ${generateApiKey()}` } }),
      spec,
      handler,
    );
    expect([missing.status, unknown.status]).toEqual([401, 401]);
    expect(handler).not.toHaveBeenCalled();
    const accepted = await withGateway(
      new Request("https://gate.example.com/v1/chat/completions", { method: "POST", headers: { ...headers, authorization: `Bearer ${key}` } }),
      spec,
      handler,
    );
    expect(accepted.status).toBe(200);
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe("NodeRequestHeaders", () => {
  it("reads Node's header record as a Web Headers would", () => {
    const record = { "content-type": "application/json", "set-cookie": ["a=1", "b=2"], "x-api-key": "" };
    const headers = new NodeRequestHeaders(record);
    const web = new Headers([
      ["content-type", "application/json"],
      ["set-cookie", "a=1"],
      ["set-cookie", "b=2"],
      ["x-api-key", ""],
    ]);
    for (const name of ["content-type", "Content-Type", "SET-COOKIE", "x-api-key", "authorization", "constructor", "__proto__", "toString"]) {
      expect(headers.get(name)).toBe(web.get(name));
      expect(headers.has(name)).toBe(web.has(name));
    }
  });
});
