// OpenAI Responses API clients (Codex CLI, the OpenAI SDK's client.responses) on Anthropic and
// Gemini channels: a captured Codex request translated to each (goldens in
// fixtures/expected/responses-to-*), upstream answers and streams turned into Responses bodies and
// events (read back with openai-node's ResponseStream), the refusals, and usage.

import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { StreamUsageObserver, usageFromText } from "@/lib/gateway/usage";
import {
  createStreamTranslator,
  getAdapter,
  hostedToolTypes,
  namespacedToolNames,
  openaiUsage,
  translateRequest,
  translateResponse,
  TranslationError,
} from "./index";
import { CTX, expected, fixture, parseSse, sseText } from "./test-helpers";

const codex = () => fixture("responses", "request-codex");
const toolNames = namespacedToolNames(codex());

/** Reads a Responses SSE body with openai-node's ResponseStream, as Codex's own parser would see it. */
async function readWithResponses(body: string) {
  const fetch = async () => new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
  const client = new OpenAI({ apiKey: "sk-test", baseURL: "http://gateway.test/v1", fetch, maxRetries: 0 });
  const stream = client.responses.stream({ model: CTX.model, input: "hi" });
  const events: { type: string; sequence_number: number }[] = [];
  for await (const event of stream) events.push(event);
  return { events, final: await stream.finalResponse() };
}

function translateStream(from: "anthropic" | "gemini", name: string, ctx: Partial<Parameters<typeof createStreamTranslator>[2]> = {}) {
  const t = createStreamTranslator(from, "responses", { ...CTX, includeUsage: false, ...ctx });
  return (
    parseSse(sseText(from, name))
      .map((e) => t.push(e))
      .join("") + t.end()
  );
}

describe("Responses → Anthropic / Gemini requests", () => {
  it.each(["anthropic", "gemini"] as const)("a Codex turn with a tool round trip → %s (golden)", (to) => {
    expect(translateRequest("responses", to, codex(), { upstreamModel: `${to}-model` })).toEqual(expected("responses", to, "request-codex")!.body);
  });

  it("leaves out the hosted tools and names them; flattens namespaces reversibly", () => {
    expect(hostedToolTypes(codex())).toEqual(["web_search"]);
    expect(toolNames["multi_agent_v1__close_agent"]).toEqual({ namespace: "multi_agent_v1", name: "close_agent" });
    const body = { ...codex(), input: [{ type: "function_call", call_id: "c1", name: "close_agent", namespace: "multi_agent_v1", arguments: "{}" }] };
    const out = translateRequest("responses", "anthropic", body, { upstreamModel: "m" }) as { messages: { content: { name: string }[] }[] };
    expect(out.messages[0]!.content[0]!.name).toBe("multi_agent_v1__close_agent");
  });

  it("maps instructions, options, structured output and effort", () => {
    const body = {
      model: "claude-x",
      instructions: "Be brief.",
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "Describe" },
            { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=", detail: "auto" },
          ],
        },
      ],
      max_output_tokens: 300,
      temperature: 0.5,
      tool_choice: "none",
      text: { format: { type: "json_schema", name: "answer", schema: { type: "object", properties: { a: { type: "string" } }, required: ["a"] } } },
      reasoning: { effort: "high", summary: "auto" },
    };
    expect(translateRequest("responses", "anthropic", body, { upstreamModel: "m" })).toMatchObject({
      system: "Be brief.",
      max_tokens: 300,
      temperature: 0.5,
      thinking: { type: "adaptive" },
      output_config: { effort: "high", format: { type: "json_schema" } },
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Describe" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
          ],
        },
      ],
    });
    expect(translateRequest("responses", "gemini", body, { upstreamModel: "m" })).toMatchObject({
      generationConfig: { maxOutputTokens: 300, temperature: 0.5, responseMimeType: "application/json", thinkingConfig: { thinkingLevel: "HIGH" } },
    });
  });

  it.each([
    [{ previous_response_id: "resp_1" }, "previous_response_id"],
    [{ background: true }, "background"],
    [{ input: [{ type: "item_reference", id: "msg_1" }] }, "input[0].type"],
    [{ input: [{ role: "user", content: [{ type: "input_file", file_id: "file-1" }] }] }, "input[0].content[0].type"],
    [{ tools: [{ type: "function", name: "f" }], tool_choice: { type: "web_search" } }, "tool_choice.type"],
    [{ truncation: "auto" }, "truncation"],
    [{ prompt: { id: "pmpt_1" } }, "prompt"],
  ])("refuses %j naming %s", (extra, field) => {
    const body = { model: "m", input: "hi", ...extra };
    try {
      translateRequest("responses", "anthropic", body, { upstreamModel: "m" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TranslationError);
      expect((err as TranslationError).field).toBe(field);
    }
  });
});

describe("Anthropic / Gemini answers → Responses", () => {
  it.each([
    ["anthropic", "response-text"],
    ["anthropic", "response-tool"],
    ["gemini", "response-text"],
    ["gemini", "response-tool"],
  ] as const)("%s %s (golden)", (from, name) => {
    expect(translateResponse(from, "responses", fixture(from, name), CTX)).toEqual(expected(from, "responses", name)!.body);
  });

  it("gives a namespaced function call its namespace back, and reports the token limit as incomplete", () => {
    const body = fixture("anthropic", "response-tool") as { stop_reason: string; content: { type: string; name?: string }[] };
    body.stop_reason = "max_tokens";
    body.content[1]!.name = "multi_agent_v1__close_agent";
    const out = translateResponse("anthropic", "responses", body, { ...CTX, toolNames }) as { status: string; output: unknown[]; incomplete_details: unknown };
    expect(out.output[1]).toMatchObject({ type: "function_call", name: "close_agent", namespace: "multi_agent_v1" });
    expect(out).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
  });
});

describe("Anthropic / Gemini streams → Responses events", () => {
  it("text: the documented event order, consecutive sequence numbers, read back by the SDK", async () => {
    const { events, final } = await readWithResponses(translateStream("anthropic", "stream-text"));
    const types = [...new Set(events.map((e) => e.type))];
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(final.output_text).toBe("Hello there!");
    expect(final.usage).toMatchObject({ input_tokens: 11, output_tokens: 6 });
  });

  it.each([
    [
      "anthropic",
      "stream-tool",
      "I'll check the current weather in Paris for you.",
      "toolu_01NRLabsLyVHZPKxbKvkfSMn",
      "get_weather",
      { location: "Paris" },
      377,
      65,
    ],
    ["gemini", "stream-tool", "", "call_xtSfaIRs8_Sf2Q-skYe5Dg_0", "customDivide", { denominator: 2, numerator: 100 }, 21, 6],
  ] as const)("%s %s: text, then the call as argument deltas, with the upstream's usage", async (from, name, text, callId, fn, args, input, output) => {
    const sse = translateStream(from, name);
    const { events, final } = await readWithResponses(sse);
    const types = events.map((e) => e.type);
    expect(types.indexOf("response.function_call_arguments.done")).toBeLessThan(types.lastIndexOf("response.output_item.done"));
    expect(final.output_text).toBe(text);
    const call = final.output.find((o) => o.type === "function_call");
    expect(call).toMatchObject({ call_id: callId, name: fn, status: "completed" });
    expect(JSON.parse((call as { arguments: string }).arguments)).toEqual(args);
    expect(final.usage).toMatchObject({ input_tokens: input, output_tokens: output });
    // The gateway meters the translated client stream's upstream, but the Responses form reads the same.
    expect(openaiUsage(final.usage)).toMatchObject({ inputTokens: input, outputTokens: output });
  });

  it("an upstream error mid-stream becomes response.failed; a cut stream is not completed", () => {
    const t = createStreamTranslator("anthropic", "responses", { ...CTX, includeUsage: false });
    const events = parseSse(sseText("anthropic", "stream-text"));
    const head = events
      .slice(0, 3)
      .map((e) => t.push(e))
      .join("");
    const failed = t.push({ event: "error", data: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }) });
    expect(head).toContain("event: response.created");
    expect(failed).toMatch(/^event: response\.failed\n/);
    expect(JSON.parse(failed.split("data: ")[1]!)).toMatchObject({ response: { status: "failed", error: { message: "Overloaded" } } });

    const cut = createStreamTranslator("anthropic", "responses", { ...CTX, includeUsage: false });
    const partial =
      events
        .slice(0, 5)
        .map((e) => cut.push(e))
        .join("") + cut.end();
    expect(partial).not.toContain("response.completed");
  });
});

describe("Claude's signed thinking makes the round trip through a Responses client", () => {
  it("goes out as a reasoning item and comes back as the thinking block Claude needs before its tool call", () => {
    const encoder = getAdapter("responses").createStreamEncoder({ ...CTX, includeUsage: false });
    const sse = [
      encoder.push({ type: "message_start", id: "msg_1", model: "claude", usage: { inputTokens: 10 } }),
      encoder.push({ type: "thinking_delta", index: 0, text: "The user wants ls." }),
      encoder.push({ type: "thinking_signature", index: 0, signature: "sig-abc" }),
      encoder.push({ type: "block_stop", index: 0 }),
      encoder.push({ type: "tool_call_start", index: 1, id: "toolu_1", name: "exec_command" }),
      encoder.push({ type: "tool_call_delta", index: 1, argumentsDelta: '{"cmd":"ls"}' }),
      encoder.push({ type: "block_stop", index: 1 }),
      encoder.push({ type: "message_delta", stopReason: "tool_use", usage: { outputTokens: 20 } }),
      encoder.push({ type: "message_stop" }),
    ].join("");
    const done = parseSse(sse)
      .map((e) => JSON.parse(e.data) as { type: string; item?: Record<string, unknown> })
      .filter((e) => e.type === "response.output_item.done")
      .map((e) => e.item!);
    expect(done.map((i) => i.type)).toEqual(["reasoning", "function_call"]);
    // Codex sends reasoning items back without their id.
    const reasoning = { ...done[0]! };
    delete reasoning.id;
    const body = {
      model: "claude",
      input: [
        { role: "user", content: "run ls" },
        reasoning,
        { type: "function_call", call_id: "toolu_1", name: "exec_command", arguments: '{"cmd":"ls"}' },
        { type: "function_call_output", call_id: "toolu_1", output: "a.txt" },
      ],
      tools: [{ type: "function", name: "exec_command", parameters: { type: "object" } }],
    };
    const out = translateRequest("responses", "anthropic", body, { upstreamModel: "m" }) as { messages: { role: string; content: unknown }[] };
    expect(out.messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "The user wants ls.", signature: "sig-abc" },
        { type: "tool_use", id: "toolu_1", name: "exec_command", input: { cmd: "ls" } },
      ],
    });
  });
});

describe("usage of the Responses API, as the gateway meters it", () => {
  const usage = {
    input_tokens: 120,
    input_tokens_details: { cached_tokens: 100 },
    output_tokens: 40,
    output_tokens_details: { reasoning_tokens: 30 },
    total_tokens: 160,
  };

  it("reads a whole body and a passed-through stream (response.completed) alike", () => {
    const expectedUsage = { inputTokens: 20, cacheReadTokens: 100, cacheWriteTokens: 0, outputTokens: 40 };
    expect(openaiUsage(usage)).toEqual({ ...expectedUsage, reasoningTokens: 30 });
    expect(usageFromText("openai", JSON.stringify({ id: "resp_1", object: "response", output: [], usage }))).toEqual(expectedUsage);
    const stream =
      `event: response.created\ndata: ${JSON.stringify({ type: "response.created", sequence_number: 0, response: { id: "resp_1", usage: null } })}\n\n` +
      `event: response.output_text.delta\ndata: ${JSON.stringify({ type: "response.output_text.delta", sequence_number: 1, delta: "Hi" })}\n\n` +
      `event: response.completed\ndata: ${JSON.stringify({ type: "response.completed", sequence_number: 2, response: { id: "resp_1", usage } })}\n\n`;
    const observer = new StreamUsageObserver("openai", 999);
    observer.feed(new TextEncoder().encode(stream));
    expect(observer.reading()).toEqual({ ...expectedUsage, estimated: false });
  });
});
