// Stream translation per protocol pair: each source transcript (fixtures/<protocol>/stream-*.sse,
// recorded by or documented for the provider) is fed event by event; the client SSE produced must
// be read by the TARGET provider's official SDK with the same text, tool calls and usage.

import { describe, expect, it } from "vitest";
import { createStreamTranslator, getAdapter, type Protocol, type Usage } from "./index";
import { CTX, PAIRS, type ChannelProtocol, parseSse, readWithAnthropic, readWithGemini, readWithOpenAI, sseText } from "./test-helpers";
import { mergeUsage } from "./util";

interface Meaning {
  text: string;
  toolCalls: { id: string; name: string; args: Record<string, unknown> }[];
  usage: Usage;
  stop: "end_turn" | "tool_use";
}

const GEMINI_TEXT = "a + b = 5 + 10 = 15\n\nTherefore, the value of a+b is **15**.\n";
const TRANSCRIPTS: Record<ChannelProtocol, Record<"stream-text" | "stream-tool", Meaning>> = {
  openai: {
    "stream-text": {
      text: '{"city":"San Francisco","units":"f"}',
      toolCalls: [],
      usage: { inputTokens: 71, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 },
      stop: "end_turn",
    },
    "stream-tool": {
      text: "",
      toolCalls: [{ id: "call_DdmO9pD3xa9XTPNJ32zg2hcA", name: "get_weather", args: { location: "Paris, France" } }],
      usage: { inputTokens: 66, outputTokens: 18, cacheReadTokens: 0, cacheWriteTokens: 0 },
      stop: "tool_use",
    },
  },
  anthropic: {
    "stream-text": {
      text: "Hello there!",
      toolCalls: [],
      usage: { inputTokens: 11, outputTokens: 6, cacheReadTokens: 0, cacheWriteTokens: 0 },
      stop: "end_turn",
    },
    "stream-tool": {
      text: "I'll check the current weather in Paris for you.",
      toolCalls: [{ id: "toolu_01NRLabsLyVHZPKxbKvkfSMn", name: "get_weather", args: { location: "Paris" } }],
      usage: { inputTokens: 377, outputTokens: 65, cacheReadTokens: 0, cacheWriteTokens: 0 },
      stop: "tool_use",
    },
  },
  gemini: {
    // The recording's last chunk revises promptTokenCount from 19 to 16: the last report wins.
    "stream-text": {
      text: GEMINI_TEXT,
      toolCalls: [],
      usage: { inputTokens: 16, outputTokens: 29, cacheReadTokens: 0, cacheWriteTokens: 0 },
      stop: "end_turn",
    },
    "stream-tool": {
      text: "",
      toolCalls: [{ id: "call_xtSfaIRs8_Sf2Q-skYe5Dg_0", name: "customDivide", args: { denominator: 2, numerator: 100 } }],
      usage: { inputTokens: 21, outputTokens: 6, cacheReadTokens: 0, cacheWriteTokens: 0 },
      stop: "tool_use",
    },
  },
};

/** Translates a transcript event by event; also returns what each single push produced. */
function translate(from: Protocol, to: Protocol, events: { event?: string; data: string }[], includeUsage = true) {
  const t = createStreamTranslator(from, to, { ...CTX, includeUsage });
  const pieces = events.map((e) => t.push(e));
  pieces.push(t.end());
  return { text: pieces.join(""), pieces };
}

/** What the target's official SDK reads from the SSE text. */
async function readBack(to: Protocol, sse: string): Promise<Meaning> {
  if (to === "openai") {
    const c = await readWithOpenAI(sse);
    const choice = c.choices[0]!;
    const u = c.usage!;
    return {
      text: choice.message.content ?? "",
      toolCalls: (choice.message.tool_calls ?? []).map((call) => ({
        id: call.id,
        name: call.type === "function" ? call.function.name : "",
        args: call.type === "function" ? JSON.parse(call.function.arguments) : {},
      })),
      usage: {
        inputTokens: u.prompt_tokens - (u.prompt_tokens_details?.cached_tokens ?? 0),
        outputTokens: u.completion_tokens,
        cacheReadTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
        cacheWriteTokens: 0,
      },
      stop: choice.finish_reason === "tool_calls" ? "tool_use" : "end_turn",
    };
  }
  if (to === "anthropic") {
    const { message: m } = await readWithAnthropic(sse);
    return {
      text: m.content.map((b) => (b.type === "text" ? b.text : "")).join(""),
      toolCalls: m.content.flatMap((b) => (b.type === "tool_use" ? [{ id: b.id, name: b.name, args: b.input as Record<string, unknown> }] : [])),
      usage: {
        inputTokens: m.usage.input_tokens,
        outputTokens: m.usage.output_tokens,
        cacheReadTokens: m.usage.cache_read_input_tokens ?? 0,
        cacheWriteTokens: m.usage.cache_creation_input_tokens ?? 0,
      },
      stop: m.stop_reason === "tool_use" ? "tool_use" : "end_turn",
    };
  }
  const chunks = await readWithGemini(sse);
  const last = chunks[chunks.length - 1]!;
  const u = last.usageMetadata!;
  return {
    text: chunks
      .flatMap((c) => c.candidates?.[0]?.content?.parts ?? [])
      .map((p) => (typeof p.text === "string" && !p.thought ? p.text : ""))
      .join(""),
    toolCalls: chunks
      .flatMap((c) => c.functionCalls ?? [])
      .map((f) => ({ id: f.id ?? "", name: f.name ?? "", args: (f.args ?? {}) as Record<string, unknown> })),
    usage: {
      inputTokens: (u.promptTokenCount ?? 0) - (u.cachedContentTokenCount ?? 0),
      outputTokens: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0),
      cacheReadTokens: u.cachedContentTokenCount ?? 0,
      cacheWriteTokens: 0,
    },
    stop: chunks.some((c) => c.functionCalls?.length) ? "tool_use" : "end_turn",
  };
}

describe.each(PAIRS)("stream %s → %s", (from, to) => {
  it.each(["stream-text", "stream-tool"] as const)("%s reads back in the target SDK with the same meaning", async (name) => {
    const { text } = translate(from, to, parseSse(sseText(from, name)));
    expect(await readBack(to, text)).toEqual(TRANSCRIPTS[from][name]);
  });

  it("delivers each upstream text delta as it arrives", () => {
    const events = parseSse(sseText(from, "stream-text"));
    const { pieces } = translate(from, to, events);
    const decoder = getAdapter(from).createStreamDecoder();
    events.forEach((e, i) => {
      const hasText = decoder.push(e).some((c) => c.type === "text_delta");
      if (hasText) expect(pieces[i], `event ${i} produced no client output`).toMatch(/\S/);
    });
  });

  it.each(["stream-text", "stream-tool"] as const)("%s survives a round trip to the target and back", async (name) => {
    const there = translate(from, to, parseSse(sseText(from, name))).text;
    const back = translate(to, from, parseSse(there)).text;
    const meaning = TRANSCRIPTS[from][name];
    // Gemini calls carry no ids; one that crossed another protocol comes back with the id it was given.
    expect(await readBack(from, back)).toEqual(meaning);
  });
});

describe("stream framing", () => {
  it("OpenAI: data frames, a usage chunk only when asked, then [DONE]", () => {
    const events = parseSse(sseText("anthropic", "stream-text"));
    const withUsage = translate("anthropic", "openai", events, true).text;
    const without = translate("anthropic", "openai", events, false).text;
    for (const text of [withUsage, without]) {
      expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
      expect(
        text
          .split("\n\n")
          .filter(Boolean)
          .every((frame) => frame.startsWith("data: ")),
      ).toBe(true);
    }
    const usageFrames = (t: string) => parseSse(t).filter((e) => e.data !== "[DONE]" && (JSON.parse(e.data) as { choices: unknown[] }).choices.length === 0);
    expect(usageFrames(withUsage)).toHaveLength(1);
    expect(JSON.parse(usageFrames(withUsage)[0]!.data).usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 6, total_tokens: 17 });
    expect(usageFrames(without)).toHaveLength(0);
  });

  it("Anthropic: named events from message_start to message_stop, with ping after the first block start", () => {
    const text = translate("openai", "anthropic", parseSse(sseText("openai", "stream-tool"))).text;
    const names = parseSse(text).map((e) => e.event);
    expect(names[0]).toBe("message_start");
    expect(names[1]).toBe("content_block_start");
    expect(names[2]).toBe("ping");
    expect(names.slice(-2)).toEqual(["message_delta", "message_stop"]);
    for (const e of parseSse(text)) expect((JSON.parse(e.data) as { type: string }).type).toBe(e.event);
    expect(text).toMatch(/^event: message_start\ndata: /);
  });

  it("Gemini: data frames separated by CRLF CRLF, finishReason and usage on the last", () => {
    const text = translate("anthropic", "gemini", parseSse(sseText("anthropic", "stream-text"))).text;
    const frames = text.split("\r\n\r\n").filter(Boolean);
    expect(frames.every((f) => f.startsWith("data: ") && !f.includes("\n"))).toBe(true);
    const last = JSON.parse(frames[frames.length - 1]!.slice(6));
    expect(last.candidates[0].finishReason).toBe("STOP");
    expect(last.usageMetadata).toEqual({ promptTokenCount: 11, candidatesTokenCount: 6, totalTokenCount: 17 });
  });

  it("a stream cut before its end is not completed by the translator", () => {
    const events = parseSse(sseText("anthropic", "stream-text"));
    const cut = events.slice(0, 5);
    for (const to of ["openai", "gemini"] as const) {
      const text = translate("anthropic", to, cut).text;
      expect(text).not.toContain("[DONE]");
      expect(text).not.toContain("finishReason");
    }
    const fromOpenAI = translate("openai", "anthropic", parseSse(sseText("openai", "stream-text")).slice(0, 4)).text;
    expect(fromOpenAI).not.toContain("message_stop");
  });

  it("an upstream error event reaches the client in its own protocol", () => {
    const t = createStreamTranslator("anthropic", "openai", { ...CTX, includeUsage: false });
    t.push(parseSse(sseText("anthropic", "stream-text"))[0]!);
    const out = t.push({ event: "error", data: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }) });
    expect(JSON.parse(parseSse(out)[0]!.data)).toEqual({ error: { message: "Overloaded", type: "overloaded_error", param: null, code: null } });
  });

  it("usage in events is absolute: a later report replaces an earlier one", () => {
    const decoder = getAdapter("gemini").createStreamDecoder();
    let usage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    for (const e of [...parseSse(sseText("gemini", "stream-text")).flatMap((ev) => decoder.push(ev)), ...decoder.end()]) {
      if (e.type === "message_start" || e.type === "message_delta") usage = mergeUsage(usage, e.usage);
    }
    expect(usage).toEqual(TRANSCRIPTS.gemini["stream-text"].usage);
  });
});
