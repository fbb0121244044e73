import { spawn } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { mockReplyText, mockToolArguments } from "./reply";
import { MAX_RECORDED, startMockUpstream } from "./server";
import { mockPerTest, postJson } from "./test-helpers";
import { DEFAULT_OUTPUT_TOKENS, MAX_OUTPUT_TOKENS, mockOutputBudget, mockPromptTokens, mockTokenCount, mockToolCallTokens, splitToolArguments } from "./tokens";

const openaiBody = { model: "gpt-5.4", messages: [{ role: "user", content: "hi" }] };
const auth = { authorization: "Bearer k" };

describe("token rules", () => {
  it("counts whitespace-separated words, plus 3 per message", () => {
    expect(mockTokenCount("")).toBe(0);
    expect(mockTokenCount("  one\ttwo\n three  ")).toBe(3);
    expect(mockPromptTokens([])).toBe(0);
    expect(mockPromptTokens(["Hello world", ""])).toBe(2 + 3 + 0 + 3);
  });

  it("bounds the output budget and builds replies of exactly that many words", () => {
    expect(mockOutputBudget(undefined)).toBe(DEFAULT_OUTPUT_TOKENS);
    expect(mockOutputBudget(0)).toBe(1);
    expect(mockOutputBudget(1e9)).toBe(MAX_OUTPUT_TOKENS);
    const long = "word ".repeat(50);
    for (const n of [1, 2, 3, 5, 16, 100, MAX_OUTPUT_TOKENS]) {
      expect(mockTokenCount(mockReplyText(long, n))).toBe(n);
    }
    expect(mockReplyText("An exceptionally long question that goes on and on and on", 20)).toBe(
      "Mock reply to: An exceptionally long question that goes lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod",
    );
    // 40 characters of the message are echoed, whitespace-normalised, never splitting a surrogate pair.
    expect(mockReplyText("🙂".repeat(50), 4)).toBe(`Mock reply to: ${"🙂".repeat(40)}`);
  });

  it("derives tool arguments from the schema and splits them into 8-character pieces", () => {
    const args = mockToolArguments({
      type: "object",
      properties: {
        city: { type: "string" },
        days: { type: "integer" },
        unit: { type: "string", enum: ["c", "f"] },
        opts: { type: "object", properties: { verbose: { type: "boolean" } } },
      },
    });
    expect(args).toEqual({ city: "Paris", days: 1, unit: "c", opts: { verbose: true } });
    const json = JSON.stringify(args);
    expect(splitToolArguments(json).join("")).toBe(json);
    expect(mockToolCallTokens(json)).toBe(Math.ceil(json.length / 8));
  });
});

describe("server", () => {
  const mock = mockPerTest();

  it("records method, path, headers, raw body, status and outcome", async () => {
    const res = await postJson(`${mock.current.url}/v1/chat/completions?x=1`, openaiBody, { ...auth, "x-trace": "abc" });
    await res.json();
    const [rec] = mock.current.requests;
    expect(rec).toMatchObject({ id: 1, method: "POST", url: "/v1/chat/completions?x=1", path: "/v1/chat/completions" });
    expect(rec?.query.get("x")).toBe("1");
    expect(rec?.headers["x-trace"]).toBe("abc");
    expect(JSON.parse(rec?.body ?? "")).toEqual(openaiBody);
    await expect(rec?.done).resolves.toBe("completed");
    expect(rec).toMatchObject({ status: 200, outcome: "completed", clientClosedEarly: false });
  });

  it("keeps only the most recent requests, and reset() forgets them and the fault", async () => {
    const total = MAX_RECORDED + 5;
    for (let i = 0; i < total; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, total - i) }, () => fetch(`${mock.current.url}/v1/models`, { headers: auth }).then((r) => r.text())),
      );
    }
    expect(mock.current.requests).toHaveLength(MAX_RECORDED);
    expect(mock.current.requests[0]?.id).toBe(6);
    mock.current.setFault({ status: 500 });
    mock.current.reset();
    expect(mock.current.requests).toHaveLength(0);
    expect((await fetch(`${mock.current.url}/v1/models`, { headers: auth })).status).toBe(200);
    expect(mock.current.requests).toHaveLength(1);
  });

  it("answers unknown paths, bad JSON and /health sensibly", async () => {
    const unknown = await fetch(`${mock.current.url}/v1/nothing`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.type).toBe("invalid_request_error");
    const unknownGemini = await fetch(`${mock.current.url}/v1beta/models/x:explode`, { method: "POST", headers: auth, body: "{}" });
    expect((await unknownGemini.json()).error.status).toBe("NOT_FOUND");
    const bad = await fetch(`${mock.current.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "k" }, body: "{not json" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).type).toBe("error");
    const health = await fetch(`${mock.current.url}/health`);
    expect(await health.json()).toEqual({ status: "ok" });
    expect(health.headers.get("keep-alive")).toBe("timeout=65");
  });

  it("serves many concurrent slow streams", async () => {
    mock.current.setFault({ chunkDelayMs: 25, outputTokens: 4 });
    const count = 500;
    const started = Date.now();
    const bodies = await Promise.all(
      Array.from({ length: count }, () => postJson(`${mock.current.url}/v1/chat/completions`, { ...openaiBody, stream: true }, auth).then((r) => r.text())),
    );
    expect(bodies.every((b) => b.endsWith("data: [DONE]\n\n"))).toBe(true);
    // Six frames paced 25 ms apart: one after another, 500 streams would take 75 s; side by side
    // they take well under a fifth of that even on two loaded cores.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("close() ends hanging requests at once", async () => {
    mock.current.setFault({ hang: true });
    const pending = fetch(`${mock.current.url}/v1/models`, { headers: auth }).catch((e: unknown) => e);
    while (mock.current.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await mock.current.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
    await expect(mock.current.requests[0]?.done).resolves.toBe("server-closed");
    expect(mock.current.requests[0]?.clientClosedEarly).toBe(false);
  });

  it("speaks HTTP/1.1 to a request that arrives a byte at a time, though its first byte could begin HTTP/2's preface", async () => {
    const { port } = new URL(mock.current.url);
    const socket = connect(Number(port), "127.0.0.1");
    const answer = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
      socket.once("close", () => resolve(text));
    });
    const body = JSON.stringify(openaiBody);
    const request = `POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    for (const byte of request.slice(0, 3)) {
      socket.write(byte);
      await new Promise((r) => setTimeout(r, 20));
    }
    socket.write(request.slice(3));
    expect(await answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});

describe("start options", () => {
  it("applies a start-up fault, a model list override, and can run without recording", async () => {
    const mock = await startMockUpstream({
      fault: { status: 429, times: 1 },
      record: false,
      models: { openai: ["only-model"] },
    });
    try {
      expect(mock.url).toBe(`http://127.0.0.1:${mock.port}`);
      const first = await fetch(`${mock.url}/v1/models`, { headers: auth });
      expect(first.status).toBe(429);
      expect(first.headers.get("retry-after")).toBe("1");
      const second = await fetch(`${mock.url}/v1/models`, { headers: auth });
      expect((await second.json()).data.map((m: { id: string }) => m.id)).toEqual(["only-model"]);
      expect(mock.requests).toHaveLength(0);
    } finally {
      await mock.close();
    }
  });

  it("runs as a CLI that prints its URL and stops on SIGTERM", async () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", "lib/mock-upstream/main.ts", "--port", "0"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.once("exit", (code) => reject(new Error(`exited early with ${code}`)));
      });
      const res = await postJson(`${url}/v1/chat/completions`, openaiBody, auth);
      expect((await res.json()).choices[0].message.content).toBe(mockReplyText("hi", DEFAULT_OUTPUT_TOKENS));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
