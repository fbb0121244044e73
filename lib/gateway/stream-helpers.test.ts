import { describe, expect, it } from "vitest";
import { attemptOrder, circuitAllows, recordChannelFailure, recordChannelSuccess, resetCircuits } from "./circuit-breaker";
import { extractCredential } from "./extract-credential";
import { withUsageOption } from "./forward-upstream";
import { StreamUsageObserver, usageFromBody, usageFromText } from "./usage";

const enc = new TextEncoder();
const dec = new TextDecoder();

describe("extractCredential", () => {
  const url = new URL("http://x/v1beta/models/m:generateContent?key=from-query");
  it("reads Bearer and x-api-key everywhere, ?key= and x-goog-api-key only for Gemini", () => {
    expect(extractCredential(new Headers({ authorization: "Bearer abc" }), null, "openai")).toBe("abc");
    expect(extractCredential(new Headers({ "x-api-key": "def" }), url, "anthropic")).toBe("def");
    expect(extractCredential(new Headers(), null, "openai")).toBeNull();
    expect(extractCredential(new Headers(), url, "gemini")).toBe("from-query");
    expect(extractCredential(new Headers({ "x-goog-api-key": "g" }), url, "gemini")).toBe("g");
  });
  it("recovers UTF-8 characters (a pasted … mask) from a Latin-1 header value", () => {
    const latin1 = Buffer.from("sk-gate-…abcd", "utf8").toString("latin1");
    expect(extractCredential(new Headers({ "x-api-key": latin1 }), url, "anthropic")).toBe("sk-gate-…abcd");
  });
});

describe("usage", () => {
  it("reads each protocol's non-stream usage", () => {
    expect(usageFromBody("openai", { usage: { prompt_tokens: 10, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 3 } } })).toEqual({
      inputTokens: 7,
      outputTokens: 4,
      cacheReadTokens: 3,
      cacheWriteTokens: 0,
    });
    expect(usageFromBody("anthropic", { usage: { input_tokens: 5, output_tokens: 2, cache_read_input_tokens: 1, cache_creation_input_tokens: 8 } })).toEqual({
      inputTokens: 5,
      outputTokens: 2,
      cacheReadTokens: 1,
      cacheWriteTokens: 8,
    });
    expect(usageFromBody("openai", { choices: [] })).toBeNull();
  });

  it("takes Anthropic's input from message_start and the last cumulative message_delta", () => {
    const o = new StreamUsageObserver("anthropic", 99);
    const events = [
      ["message_start", { type: "message_start", message: { usage: { input_tokens: 12, output_tokens: 1, cache_read_input_tokens: 2 } } }],
      ["content_block_delta", { type: "content_block_delta", delta: { type: "text_delta", text: "hello" } }],
      ["message_delta", { type: "message_delta", usage: { output_tokens: 3 } }],
      ["message_delta", { type: "message_delta", usage: { output_tokens: 7 } }],
    ] as const;
    const text = events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join("");
    // Split mid-event, as the network would.
    o.feed(enc.encode(text.slice(0, 50)));
    o.feed(enc.encode(text.slice(50)));
    expect(o.reading()).toEqual({ inputTokens: 12, outputTokens: 7, cacheReadTokens: 2, cacheWriteTokens: 0, estimated: false });
  });

  it("estimates output from the text seen when the stream ends before usage, and says so", () => {
    const o = new StreamUsageObserver("openai", 40);
    o.feed(enc.encode(`data: ${JSON.stringify({ choices: [{ delta: { content: "a".repeat(21) } }] })}\n\n`));
    expect(o.reading()).toEqual({ inputTokens: 40, outputTokens: 6, cacheReadTokens: 0, cacheWriteTokens: 0, estimated: true });
  });
});

describe("OpenAI usage chunk removal", () => {
  const chunk = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
  const stream = [
    chunk({ choices: [{ delta: { content: "Hi" } }], usage: null }),
    chunk({ choices: [{ delta: {}, finish_reason: "stop" }], usage: null }),
    chunk({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }),
    "data: [DONE]\n\n",
  ].join("");
  const expected = [
    chunk({ choices: [{ delta: { content: "Hi" } }], usage: null }),
    chunk({ choices: [{ delta: {}, finish_reason: "stop" }], usage: null }),
    "data: [DONE]\n\n",
  ].join("");
  const run = (text: string, size: number, drop: boolean) => {
    const o = new StreamUsageObserver("openai", 5, "sse", { dropInjectedUsage: drop });
    const out: string[] = [];
    for (let i = 0; i < text.length; i += size) {
      const part = o.push(enc.encode(text.slice(i, i + size)));
      if (part) out.push(dec.decode(part));
    }
    const rest = o.end();
    if (rest) out.push(dec.decode(rest));
    return { text: out.join(""), usage: o.reading() };
  };

  it("removes only the usage chunk the gateway asked for, byte-for-byte otherwise, however the bytes are split", () => {
    for (const size of [1, 7, 64, stream.length]) {
      const { text, usage } = run(stream, size, true);
      expect(text).toBe(expected);
      expect(usage).toEqual({ inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, estimated: false });
    }
  });

  it("sends the upstream's own bytes when it removes the chunk from a whole buffer (no copy)", () => {
    const bytes = enc.encode(stream);
    const out = new StreamUsageObserver("openai", 5, "sse", { dropInjectedUsage: true }).push(bytes);
    expect(out?.buffer).toBe(bytes.buffer);
    expect(dec.decode(out!)).toBe(expected);
  });

  it("passes the chunks themselves through when the client asked for usage", () => {
    const o = new StreamUsageObserver("openai", 5, "sse");
    const bytes = enc.encode(stream);
    expect(o.push(bytes)).toBe(bytes);
    expect(o.reading().estimated).toBe(false);
  });

  it("handles CRLF framing and a last event without its blank line", () => {
    const crlf = stream.replaceAll("\n", "\r\n").replace(/\r\n\r\n$/, "");
    const { text, usage } = run(crlf, 5, true);
    expect(text).toBe(expected.replaceAll("\n", "\r\n").replace(/\r\n\r\n$/, ""));
    expect(usage.outputTokens).toBe(1);
  });

  it("estimates from string fields only, escapes and spacing included", () => {
    const o = new StreamUsageObserver("openai", 5);
    o.feed(enc.encode('data: {"choices":[{"delta":{"content" : "say \\"hi\\" 12345678"}}],"usage":null}\n\n'));
    o.feed(enc.encode('data: {"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"{\\"a\\":1}"}}]}}]}\n\n'));
    // `say \"hi\" 12345678` is 19 bytes as sent, `{\"a\":1}` 9: 28 / 4 = 7 tokens (parsed text would give 6).
    expect(o.reading()).toEqual({ inputTokens: 5, outputTokens: 7, cacheReadTokens: 0, cacheWriteTokens: 0, estimated: true });
  });
});

describe("circuit breaker", () => {
  it("opens after repeated failures, lets one trial through after the cool-down, closes on success", () => {
    resetCircuits();
    const t0 = 1_000_000;
    recordChannelFailure("c", t0);
    recordChannelFailure("c", t0);
    expect(circuitAllows("c", t0)).toBe(true);
    recordChannelFailure("c", t0);
    expect(circuitAllows("c", t0 + 1000)).toBe(false);
    expect(circuitAllows("c", t0 + 31_000)).toBe(true); // the trial
    expect(circuitAllows("c", t0 + 31_001)).toBe(false); // only one at a time
    recordChannelSuccess("c");
    expect(circuitAllows("c", t0 + 31_002)).toBe(true);
  });
});

describe("withUsageOption", () => {
  it("splices the option in after the opening brace, every other byte as sent", () => {
    const raw = ' \n{ "model":"m", "stream":true,"messages":[]}';
    const out = withUsageOption(enc.encode(raw));
    expect(out?.toString()).toBe(' \n{"stream_options":{"include_usage":true}, "model":"m", "stream":true,"messages":[]}');
    expect(JSON.parse(out!.toString())).toEqual({ stream_options: { include_usage: true }, model: "m", stream: true, messages: [] });
  });
  it("declines what is not a non-empty object", () => {
    for (const raw of ["{}", " { } ", "[]", ""]) expect(withUsageOption(enc.encode(raw))).toBeNull();
  });
});

describe("channel attempt order", () => {
  it("asks a channel's circuit only when that channel is about to be tried, so an untried channel keeps its trial", () => {
    resetCircuits();
    const t0 = Date.now() - 60_000;
    for (let i = 0; i < 3; i++) recordChannelFailure("b", t0); // open, cool-down over: one trial due
    const order = attemptOrder([{ id: "a" }, { id: "b" }]);
    expect(order.next().value).toEqual({ id: "a" }); // a answers; b is never tried
    expect(circuitAllows("b")).toBe(true); // its trial is still available
    resetCircuits();
  });
  it("tries every channel when every circuit is open", () => {
    resetCircuits();
    for (const id of ["a", "b"]) for (let i = 0; i < 3; i++) recordChannelFailure(id);
    expect([...attemptOrder([{ id: "a" }, { id: "b" }])].map((c) => c.id)).toEqual(["a", "b"]);
    resetCircuits();
  });
});

describe("usageFromText", () => {
  it("reads the usage object alone, whatever the answer's text holds", () => {
    const openai = JSON.stringify({
      choices: [{ message: { content: 'a "usage": {"prompt_tokens": 999} in the text {' } }],
      usage: { prompt_tokens: 10, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 3 } },
    });
    expect(usageFromText("openai", openai)).toEqual({ inputTokens: 7, outputTokens: 4, cacheReadTokens: 3, cacheWriteTokens: 0 });
    const anthropic =
      '{"content":[{"type":"text","text":"}}}"}],"usage" : {"input_tokens":5,"output_tokens":2,"cache_read_input_tokens":1,"cache_creation_input_tokens":8}}';
    expect(usageFromText("anthropic", anthropic)).toEqual({ inputTokens: 5, outputTokens: 2, cacheReadTokens: 1, cacheWriteTokens: 8 });
    const gemini = JSON.stringify({
      candidates: [{ content: { parts: [{ text: "hi" }] } }],
      usageMetadata: { promptTokenCount: 6, candidatesTokenCount: 2, thoughtsTokenCount: 1 },
    });
    expect(usageFromText("gemini", gemini)).toEqual({ inputTokens: 6, outputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });
  it("is null without usage or JSON", () => {
    expect(usageFromText("openai", '{"choices":[]}')).toBeNull();
    expect(usageFromText("openai", "not json")).toBeNull();
  });
});
