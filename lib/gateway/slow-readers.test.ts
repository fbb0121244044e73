import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedRequest } from "@/lib/mock-upstream";
import { createEmptyDatabase, type TestDatabase } from "@/test/databases";
import { queryRows } from "@/test/private-services";
import { serveGateway, setUpGateway, TEST_MODEL } from "@/test/gateway";
import { replaceUpstreamAgent } from "./upstream-client";

// Memory bounded for slow readers: clients that stop reading a long stream make the gateway stop
// reading the upstream (backpressure all the way back), so the gateway holds no more than its
// sockets' queues per stream, never the upstream answer. Through the gateway as server.ts serves
// it (web-host.ts and the route table's handlers) over HTTP, with raw sockets as the clients and a
// mock upstream whose answers (the test-only `streamBytes` knob) are far longer than any socket
// buffer, generated as they are sent, and counted as they are handed to each connection.

const MB = 1024 * 1024;
/** The fast reader's answer: 64 MiB of SSE, about 240,000 chunks, read to its end. */
const FAST_ANSWER_BYTES = 64 * MB;
/** Each slow reader's answer: 1 GiB, 100 GiB for all of them (what buffering them would cost). */
const SLOW_ANSWER_BYTES = 1024 * MB;
const STREAMS = 100;
/**
 * What one stalled stream may have taken from the upstream: what the kernel queues between the
 * mock and the client (the mock's and the gateway's send queues, at most tcp_wmem's 4 MB each; the
 * gateway's receive window from the mock, grown while it read fast; the client's receive queue, a
 * few hundred KB as it reads nothing) plus the few 64 KiB chunks the gateway and the client hold in
 * memory. Measured 6.9–15 MB a stream here, 7.8 MB on average: at most 32 MB each (a 32nd of the
 * answer), 16 MB on average.
 */
const PER_STREAM_BOUND = 32 * MB;
const MEAN_BOUND = 16 * MB;
/** The longest the held streams may take to fill the queues between the mock and the clients (the test allows 100 s in all). */
const FILL_DEADLINE_MS = 40_000;
/** Growth of the process's memory allowed while the streams are held (gateway, mock and clients): 5 MB a stream. */
const MEMORY_BOUND = STREAMS * 5 * MB;

interface SlowReader {
  socket: Socket;
  status: number;
  requestId: string | null;
  /** Body bytes the client has taken from its socket. */
  read: number;
  stop(): void;
}

/**
 * A streaming chat completion on a raw socket that reads its headers, then takes 4 bytes a second
 * (`socket.read` in paused mode: Node reads ahead at most its 16 KiB buffer).
 */
function slowReader(port: number, key: string, content: string): Promise<SlowReader> {
  const body = JSON.stringify({ model: TEST_MODEL, stream: true, max_tokens: 16, messages: [{ role: "user", content }] });
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let head = "";
    const onData = (data: Buffer) => {
      head += data.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      socket.pause();
      const reader: SlowReader = {
        socket,
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        requestId: /\r\nx-request-id: *([^\r]+)/i.exec(head.slice(0, end))?.[1] ?? null,
        read: head.length - end - 4,
        stop: () => clearInterval(timer),
      };
      const timer = setInterval(() => {
        const got = socket.read(4) as Buffer | null;
        if (got) reader.read += got.length;
      }, 1_000);
      resolve(reader);
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: gate.example.com\r\nAuthorization: Bearer ${key}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Heap and buffers outside it (where sockets' and streams' chunks live), and the resident set. */
function memory() {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external };
}

// Over both kinds of upstream connection: HTTP/1.1, a socket a call, and HTTP/2 (UPSTREAM_HTTP2=on),
// where the hundred streams share one socket and each stalls in its own flow-control window
// without holding back the others.
describe.each([
  { transport: "HTTP/1.1", http2: false },
  { transport: "HTTP/2", http2: true },
])("gateway: slow readers, upstream over $transport", ({ http2 }) => {
  let t: TestDatabase;
  let env: Awaited<ReturnType<typeof setUpGateway>>;
  let gateway: Awaited<ReturnType<typeof serveGateway>>;
  let key: string;
  const readers: SlowReader[] = [];

  beforeAll(async () => {
    t = await createEmptyDatabase("postgres");
    env = await setUpGateway("slow-readers", t.location);
    await replaceUpstreamAgent({ http2 });
    gateway = await serveGateway();
    ({ key } = await env.order({ name: "Slow readers", rpm: 100_000, creditUsd: 100 }));
  }, 60_000);
  afterAll(async () => {
    for (const r of readers) {
      r.stop();
      r.socket.destroy();
    }
    await gateway?.close();
    await replaceUpstreamAgent();
    await env?.tearDown();
    await t?.drop();
  });

  it("a fast reader gets the whole long answer intact", async () => {
    env.mock.reset();
    env.mock.setFault({ streamBytes: FAST_ANSWER_BYTES, match: "/chat/completions" });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: TEST_MODEL,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 16,
        messages: [{ role: "user", content: "fast" }],
      }),
    });
    expect(res.status).toBe(200);
    const decoder = new TextDecoder();
    let bytes = 0;
    let pending = "";
    let words = 0;
    let events = 0;
    let last = "";
    let usage: { completion_tokens: number } | undefined;
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      const parts = (pending + decoder.decode(chunk, { stream: true })).split("\n\n");
      pending = parts.pop()!;
      for (const event of parts) {
        events += 1;
        last = event;
        if (event.includes('"delta":{"content":')) words += 1;
        else if (event.includes('"usage":{')) usage = (JSON.parse(event.slice("data: ".length)) as { usage: { completion_tokens: number } }).usage;
      }
    }
    expect(pending).toBe("");
    expect(last).toBe("data: [DONE]");
    expect(bytes).toBeGreaterThanOrEqual(FAST_ANSWER_BYTES);
    expect(words).toBeGreaterThan(200_000);
    expect(usage?.completion_tokens).toBe(words);
    const [upstream] = env.mock.requests;
    expect(await upstream!.done).toBe("completed");
    expect(upstream!.bytesWritten).toBe(bytes);
    console.info(`fast reader: ${(bytes / MB).toFixed(1)} MB, ${events} events, ${words} words; upstream wrote ${(upstream!.bytesWritten / MB).toFixed(1)} MB`);
  }, 60_000);

  it("100 clients that stop reading hold the upstream answers back: a few MB each sent, memory flat; closing aborts the upstream and meters 499", async () => {
    env.mock.reset();
    env.mock.setFault({ streamBytes: SLOW_ANSWER_BYTES, match: "/chat/completions" });
    const before = memory();

    readers.push(...(await Promise.all(Array.from({ length: STREAMS }, (_, i) => slowReader(gateway.port, key, `slow reader ${i}`)))));
    expect(readers.map((r) => r.status)).toEqual(readers.map(() => 200));
    const upstream: RecordedRequest[] = env.mock.requests.filter((r) => r.path === "/v1/chat/completions");
    expect(upstream).toHaveLength(STREAMS);

    // The streams fill the queues between the mock and the clients, then stall. Wait for the stall
    // (bytes sent, then less than 1 MB more in each of two seconds in a row, all streams together),
    // or stop early when a stream runs far past the bound (the answers being buffered). Filling
    // takes 3–10 s on two idle cores, and longer, with pauses, when other work shares them; a stream
    // that never stalls runs past the bound first.
    const total = () => upstream.reduce((sum, r) => sum + r.bytesWritten, 0);
    const largest = () => Math.max(...upstream.map((r) => r.bytesWritten));
    const started = Date.now();
    let previous = total();
    let quietSeconds = 0;
    while (Date.now() - started < FILL_DEADLINE_MS && largest() <= PER_STREAM_BOUND) {
      await sleep(1_000);
      const now = total();
      quietSeconds = now > 0 && now - previous < MB ? quietSeconds + 1 : 0;
      if (quietSeconds === 2) break;
      previous = now;
    }
    const filledInMs = Date.now() - started;
    const held = memory();
    const atStall = upstream.map((r) => r.bytesWritten);
    // Held for a few more seconds, while the clients read 4 bytes a second.
    await sleep(3_000);
    const after = upstream.map((r) => r.bytesWritten);
    const grew = after.reduce((sum, b, i) => sum + b - atStall[i]!, 0);
    const figures = {
      filledInMs,
      perStreamMB: { min: Math.min(...after) / MB, max: Math.max(...after) / MB, mean: after.reduce((a, b) => a + b, 0) / STREAMS / MB },
      grewInLast3sMB: grew / MB,
      rssGrowthMB: (held.rss - before.rss) / MB,
      heapAndBuffersGrowthMB: (held.heap - before.heap) / MB,
      clientsReadMB: readers.reduce((sum, r) => sum + r.read, 0) / MB,
    };
    console.info(`slow readers: ${JSON.stringify(figures)}`);

    for (const bytes of after) expect(bytes).toBeLessThanOrEqual(PER_STREAM_BOUND);
    expect(after.reduce((a, b) => a + b, 0) / STREAMS).toBeLessThanOrEqual(MEAN_BOUND);
    expect(grew).toBeLessThan(MB);
    expect(held.rss - before.rss).toBeLessThan(MEMORY_BOUND);
    expect(held.heap - before.heap).toBeLessThan(MEMORY_BOUND);
    for (const r of upstream) expect(r.outcome).toBe("pending");

    // The clients leave: every upstream answer is cut (the mock sees its client close), and each
    // request is metered as the client's close.
    for (const r of readers) {
      r.stop();
      r.socket.destroy();
    }
    const outcomes = await Promise.all(upstream.map((r) => r.done));
    expect(outcomes).toEqual(upstream.map(() => "client-closed"));
    const ids = readers.map((r) => r.requestId);
    expect(ids.every(Boolean)).toBe(true);
    let rows: { status: number; errorCode: string | null }[] = [];
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(200)) {
      rows = await queryRows(t.location, `SELECT status, "errorCode" FROM request_logs WHERE "requestId" = ANY($1)`, [ids]);
      if (rows.length === STREAMS) break;
    }
    expect(rows).toHaveLength(STREAMS);
    for (const row of rows) expect(row).toEqual({ status: 499, errorCode: "client_closed" });
  }, 100_000);
});
