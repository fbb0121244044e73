// Metering stays exact across translation: the canonical usage read from each protocol's response
// and stream is the upstream's own count, and agrees with the gateway's own reader (lib/gateway/usage).

import { describe, expect, it } from "vitest";
import { StreamUsageObserver, usageFromBody, usageFromText } from "@/lib/gateway/usage";
import { createStreamTranslator, getAdapter, type Usage } from "./index";
import { CTX, fixture, parseSse, sseText, type ChannelProtocol as Protocol } from "./test-helpers";

const u = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0, reasoningTokens?: number): Usage => ({
  inputTokens,
  outputTokens,
  cacheReadTokens,
  cacheWriteTokens,
  ...(reasoningTokens ? { reasoningTokens } : {}),
});

const RESPONSES: [Protocol, string, Usage][] = [
  ["openai", "response-text", u(19, 10)],
  ["openai", "response-tool", u(82, 17)],
  ["anthropic", "response-text", u(2095, 503)],
  ["anthropic", "response-tool", u(0, 0)],
  ["gemini", "response-text", u(9, 21, 0, 0, 20)],
  ["gemini", "response-tool", u(80, 102, 0, 0, 76)],
];

const STREAMS: [Protocol, string, Usage][] = [
  ["openai", "stream-text", u(71, 10)],
  ["openai", "stream-tool", u(66, 18)],
  ["anthropic", "stream-text", u(11, 6)],
  ["anthropic", "stream-tool", u(377, 65)],
  ["gemini", "stream-text", u(16, 29)],
  ["gemini", "stream-tool", u(21, 6)],
];

const strip = (usage: Usage) => {
  const counts: Partial<Usage> = { ...usage };
  delete counts.reasoningTokens;
  return counts;
};

describe("usage", () => {
  it.each(RESPONSES)("%s %s: exact and as the gateway meters it", (p, name, usage) => {
    const body = fixture(p, name);
    expect(getAdapter(p).parseResponse(body).usage).toEqual(usage);
    // The documented Anthropic tool_use example carries no usage: zero here, nothing to meter there.
    expect(usageFromBody(p, body)).toEqual("usage" in body || "usageMetadata" in body ? strip(usage) : null);
    expect(usageFromText(p, JSON.stringify(body, null, 1))).toEqual(usageFromBody(p, body));
  });

  it.each(STREAMS)("%s %s: exact, whatever the client protocol, and as the gateway meters it", (p, name, usage) => {
    const text = sseText(p, name);
    for (const to of ["openai", "anthropic", "gemini"] as const) {
      const t = createStreamTranslator(p, to, { ...CTX, includeUsage: false });
      for (const ev of parseSse(text)) t.push(ev);
      t.end();
      expect(t.usage()).toEqual(usage);
    }
    const observer = new StreamUsageObserver(p, 999);
    observer.feed(new TextEncoder().encode(text));
    expect(observer.reading()).toEqual({ ...strip(usage), estimated: false });
  });

  it("keeps cache reads and writes apart through every protocol", () => {
    const body = {
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude",
      content: [{ type: "text", text: "ok" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 50, cache_creation_input_tokens: 200, cache_read_input_tokens: 1000, output_tokens: 7 },
    };
    const canonical = getAdapter("anthropic").parseResponse(body);
    expect(canonical.usage).toEqual(u(50, 7, 1000, 200));
    const openai = getAdapter("openai").buildResponse(canonical, CTX);
    expect(openai.usage).toMatchObject({ prompt_tokens: 1250, completion_tokens: 7, total_tokens: 1257, prompt_tokens_details: { cached_tokens: 1000 } });
    const gemini = getAdapter("gemini").buildResponse(canonical, CTX);
    expect(gemini.usageMetadata).toEqual({ promptTokenCount: 1250, candidatesTokenCount: 7, totalTokenCount: 1257, cachedContentTokenCount: 1000 });
    // Read back from the client bodies, cache reads survive; OpenAI and Gemini have no cache writes.
    expect(getAdapter("openai").parseResponse(openai).usage).toEqual(u(250, 7, 1000));
    expect(getAdapter("gemini").parseResponse(gemini).usage).toEqual(u(250, 7, 1000));
  });

  it("reports OpenAI cached prompt tokens and reasoning tokens", () => {
    const usage = {
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920 },
      completion_tokens_details: { reasoning_tokens: 256 },
    };
    const canonical = getAdapter("openai").parseResponse({
      id: "c",
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: "x" }, finish_reason: "stop" }],
      usage,
    });
    expect(canonical.usage).toEqual(u(86, 300, 1920, 0, 256));
    const gemini = getAdapter("gemini").buildResponse(canonical, CTX);
    expect(gemini.usageMetadata).toEqual({
      promptTokenCount: 2006,
      candidatesTokenCount: 44,
      totalTokenCount: 2306,
      cachedContentTokenCount: 1920,
      thoughtsTokenCount: 256,
    });
  });
});
