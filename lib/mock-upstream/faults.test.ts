import Anthropic from "@anthropic-ai/sdk";
import { ApiError, GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { mockPerTest, postJson, rejectionOf } from "./test-helpers";

const mock = mockPerTest();
const openai = (headers: Record<string, string> = {}) => new OpenAI({ apiKey: "k", baseURL: `${mock.current.url}/v1`, maxRetries: 0, defaultHeaders: headers });
const anthropic = (headers: Record<string, string> = {}) => new Anthropic({ apiKey: "k", baseURL: mock.current.url, maxRetries: 0, defaultHeaders: headers });
const gemini = (headers: Record<string, string> = {}) => new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: mock.current.url, headers } });

const chat = { model: "gpt-4o", messages: [{ role: "user" as const, content: "hi" }] };
const message = { model: "claude-sonnet-5-5", max_tokens: 8, messages: [{ role: "user" as const, content: "hi" }] };
const generate = { model: "gemini-2.5-flash", contents: "hi" };

describe("status faults", () => {
  it("500 is each SDK's server error with the provider's body", async () => {
    const h = { "x-mock-status": "500" };
    const o = openai(h).chat.completions.create(chat);
    await expect(o).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(o).rejects.toMatchObject({ status: 500, error: { type: "server_error" } });

    const a = anthropic(h).messages.create(message);
    await expect(a).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    await expect(a).rejects.toMatchObject({ status: 500, error: { type: "error", error: { type: "api_error" } } });

    const g = gemini(h).models.generateContent(generate);
    await expect(g).rejects.toBeInstanceOf(ApiError);
    await expect(g).rejects.toMatchObject({ status: 500, message: expect.stringContaining('"status":"INTERNAL"') });
  });

  it("429 carries retry-after (1 s by default, or as asked) and maps to RateLimitError", async () => {
    const o = openai({ "x-mock-status": "429" }).chat.completions.create(chat);
    await expect(o).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(o).rejects.toMatchObject({ code: "rate_limit_exceeded" });
    const err = await rejectionOf(o);
    expect(err instanceof OpenAI.RateLimitError && err.headers.get("retry-after")).toBe("1");

    const a = anthropic({ "x-mock-status": "429", "x-mock-retry-after": "7", "x-mock-error-message": "slow down" }).messages.create(message);
    await expect(a).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    const aerr = await rejectionOf(a);
    if (!(aerr instanceof Anthropic.RateLimitError)) throw aerr;
    expect(aerr.headers.get("retry-after")).toBe("7");
    expect(aerr.error).toEqual({ type: "error", error: { type: "rate_limit_error", message: "slow down" } });

    const g = gemini({ "x-mock-status": "429" }).models.generateContent(generate);
    await expect(g).rejects.toMatchObject({ status: 429, message: expect.stringContaining("RESOURCE_EXHAUSTED") });
  });

  it("400 is a BadRequestError", async () => {
    await expect(openai({ "x-mock-status": "400" }).chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(anthropic({ "x-mock-status": "400" }).messages.create(message)).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });

  it("a server fault limited with `times` fails the next N requests only", async () => {
    mock.current.setFault({ status: 503, times: 2 });
    await expect(openai().chat.completions.create(chat)).rejects.toMatchObject({ status: 503 });
    await expect(anthropic().messages.create(message)).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    const ok = await openai().chat.completions.create(chat);
    expect(ok.choices[0]?.finish_reason).toBe("stop");
    expect(mock.current.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it("an SDK retrying after a one-off 500 sees the second attempt succeed", async () => {
    mock.current.setFault({ status: 500, times: 1, retryAfter: 0.01 });
    const client = new OpenAI({ apiKey: "k", baseURL: `${mock.current.url}/v1`, maxRetries: 1 });
    const res = await client.chat.completions.create(chat);
    expect(res.object).toBe("chat.completion");
    expect(mock.current.requests.map((r) => r.status)).toEqual([500, 200]);
  });

  it("`match` limits a server fault to matching paths", async () => {
    mock.current.setFault({ status: 500, match: "/v1/messages" });
    await expect(openai().chat.completions.create(chat)).resolves.toBeDefined();
    await expect(anthropic().messages.create(message)).rejects.toMatchObject({ status: 500 });
    mock.current.setFault({ status: 500, match: /:generateContent$/ });
    await expect(gemini().models.generateContent(generate)).rejects.toMatchObject({ status: 500 });
    await expect(anthropic().messages.create(message)).resolves.toBeDefined();
  });
});

describe("transport faults", () => {
  it("hang: no answer until the client aborts, recorded as clientClosedEarly", async () => {
    const controller = new AbortController();
    const pending = openai({ "x-mock-hang": "1" }).chat.completions.create(chat, { signal: controller.signal });
    await waitFor(() => mock.current.requests.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(mock.current.requests[0]?.outcome).toBe("pending");
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    const rec = mock.current.requests[0];
    await expect(rec?.done).resolves.toBe("client-closed");
    expect(rec?.clientClosedEarly).toBe(true);
    expect(rec?.status).toBeUndefined();
  });

  it("a client abort in the middle of a slow stream reaches the mock as a close", async () => {
    mock.current.setFault({ chunkDelayMs: 20 });
    const controller = new AbortController();
    const stream = await anthropic().messages.create({ ...message, stream: true, max_tokens: 50 }, { signal: controller.signal });
    let seen = 0;
    // The SDK ends the iteration (quietly or by throwing, depending on timing) once aborted.
    await (async () => {
      for await (const event of stream) {
        if (event.type === "content_block_delta" && ++seen === 3) controller.abort();
      }
    })().catch((error: unknown) => expect(error).toBeInstanceOf(Anthropic.APIUserAbortError));
    expect(seen).toBe(3);
    const rec = mock.current.requests[0];
    await expect(rec?.done).resolves.toBe("client-closed");
    expect(rec?.clientClosedEarly).toBe(true);
    expect(rec?.status).toBe(200);
  });

  it("drop after N chunks makes each SDK's stream throw after those chunks", async () => {
    const drop = { "x-mock-drop-after": "3" };
    const o = await openai(drop).chat.completions.create({ ...chat, stream: true });
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of o) got.push(chunk.choices[0]?.delta.content ?? "");
      })(),
    ).rejects.toThrow();
    expect(got).toEqual(["", "Mock", " reply"]);

    const a = anthropic(drop).messages.stream(message);
    await expect(a.finalMessage()).rejects.toThrow();

    const g = await gemini(drop).models.generateContentStream(generate);
    const texts: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of g) texts.push(chunk.text ?? "");
      })(),
    ).rejects.toThrow();
    expect(texts).toEqual(["Mock", " reply", " to:"]);

    await Promise.all(mock.current.requests.map((r) => r.done));
    expect(mock.current.requests.map((r) => [r.outcome, r.clientClosedEarly])).toEqual([
      ["dropped", false],
      ["dropped", false],
      ["dropped", false],
    ]);
  });

  it("drop on a non-streaming answer cuts the body short", async () => {
    await expect(openai({ "x-mock-drop-after": "0" }).chat.completions.create(chat)).rejects.toThrow();
    const res = await postJson(`${mock.current.url}/v1/chat/completions`, chat, { authorization: "Bearer k", "x-mock-drop-after": "0" });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it("refuse closes the socket before any answer", async () => {
    await expect(openai({ "x-mock-refuse": "1" }).chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    mock.current.setFault({ refuse: true, times: 1 });
    await expect(anthropic().messages.create(message)).rejects.toBeInstanceOf(Anthropic.APIConnectionError);
    await expect(anthropic().messages.create(message)).resolves.toBeDefined();
    expect(mock.current.requests.map((r) => r.outcome)).toEqual(["dropped", "dropped", "completed"]);
  });

  it("delays the headers, and paces stream chunks", async () => {
    let started = Date.now();
    await openai({ "x-mock-delay-ms": "150" }).chat.completions.create(chat);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    mock.current.setFault({ chunkDelayMs: 40 });
    started = Date.now();
    const stream = await openai().chat.completions.create({ ...chat, stream: true, max_tokens: 3 });
    const arrivals: number[] = [];
    for await (const chunk of stream) {
      void chunk;
      arrivals.push(Date.now() - started);
    }
    // role + 3 words + finish + [DONE]: five gaps of 40 ms.
    expect(arrivals).toHaveLength(5);
    expect(arrivals.at(-1)).toBeGreaterThanOrEqual(150);
  });
});

describe("reply knobs", () => {
  it("x-mock-output-tokens overrides the length and x-mock-truncated reports the token limit", async () => {
    const o = await openai({ "x-mock-output-tokens": "3", "x-mock-truncated": "1" }).chat.completions.create({ ...chat, max_tokens: 100 });
    expect(o.choices[0]?.message.content).toBe("Mock reply to:");
    expect(o.choices[0]?.finish_reason).toBe("length");
    const a = await anthropic({ "x-mock-truncated": "true" }).messages.create(message);
    expect(a.stop_reason).toBe("max_tokens");
    const g = await gemini({ "x-mock-truncated": "1" }).models.generateContent(generate);
    expect(g.candidates?.[0]?.finishReason).toBe("MAX_TOKENS");
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("streamBytes (test only)", () => {
  it("streams a text reply until the body reaches the size, every word in usage, and records the bytes written", async () => {
    const stream = await openai({ "x-mock-stream-bytes": "200000" }).chat.completions.create({
      ...chat,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let completionTokens: number | undefined;
    let words = 0;
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) {
        text += content;
        words += 1;
      }
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
    }
    expect(text.startsWith("Mock reply to: hi lorem ipsum")).toBe(true);
    expect(words).toBeGreaterThan(500);
    expect(completionTokens).toBe(words);
    const [rec] = mock.current.requests;
    expect(await rec!.done).toBe("completed");
    expect(rec!.bytesWritten).toBeGreaterThanOrEqual(200_000);
  });

  it("writes only what the connection takes: a reader that does not read stops the stream", async () => {
    const res = await fetch(`${mock.current.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer k", "content-type": "application/json", "x-mock-stream-bytes": String(256 * 1024 * 1024) },
      body: JSON.stringify({ ...chat, stream: true }),
    });
    expect(res.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [rec] = mock.current.requests;
    const written = rec!.bytesWritten;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(rec!.bytesWritten).toBe(written);
    expect(written).toBeLessThan(64 * 1024 * 1024);
    await res.body!.cancel();
    expect(await rec!.done).toBe("client-closed");
  });
});
