import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODELS } from "./models";
import { mockReplyText } from "./reply";
import { mockPerTest, parseSse, postJson } from "./test-helpers";
import { mockPromptTokens, mockToolCallTokens } from "./tokens";

const mock = mockPerTest();
const client = () => new Anthropic({ apiKey: "sk-ant-upstream-test", baseURL: mock.current.url, maxRetries: 0 });

const system = "Answer briefly.";
const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Tell me something nice about the sea" }];
const promptTokens = mockPromptTokens([system, "Tell me something nice about the sea"]);
const weatherTool: Anthropic.Tool = {
  name: "get_weather",
  description: "Current weather for a city",
  input_schema: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city"] },
};

describe("Anthropic messages", () => {
  it("answers a non-streaming request with a message and exact usage", async () => {
    const msg = await client().messages.create({ model: "claude-sonnet-5-5", max_tokens: 12, system, messages });
    expect(msg).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-sonnet-5-5",
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: promptTokens, output_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.content).toEqual([{ type: "text", text: mockReplyText("Tell me something nice about the sea", 12) }]);
  });

  it("serves the beta path (?beta=true) the same way", async () => {
    const msg = await client().beta.messages.create({ model: "claude-opus-5-5", max_tokens: 3, messages });
    expect(msg.content).toEqual([{ type: "text", text: "Mock reply to:" }]);
    const raw = await postJson(
      `${mock.current.url}/v1/messages?beta=true`,
      { model: "m", max_tokens: 2, messages },
      {
        "x-api-key": "k",
        "anthropic-beta": "prompt-caching-2024-07-31",
      },
    );
    expect(raw.status).toBe(200);
    expect((await raw.json()).content).toEqual([{ type: "text", text: "Mock reply" }]);
    expect(mock.current.requests.at(-1)?.url).toBe("/v1/messages?beta=true");
  });

  it("streams the exact event sequence and usage the SDK accumulates", async () => {
    const stream = client().messages.stream({ model: "claude-haiku-5-5", max_tokens: 5, system, messages });
    const types: string[] = [];
    stream.on("streamEvent", (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(final.content).toMatchObject([{ type: "text", text: mockReplyText("Tell me something nice about the sea", 5) }]);
    expect(final.usage.input_tokens).toBe(promptTokens);
    expect(final.usage.output_tokens).toBe(5);
    expect(final.stop_reason).toBe("end_turn");
    expect(types).toEqual([
      "message_start",
      "content_block_start",
      ...Array(5).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);

    const raw = await postJson(
      `${mock.current.url}/v1/messages`,
      { model: "claude-haiku-5-5", max_tokens: 3, messages, stream: true },
      { "x-api-key": "k", "anthropic-version": "2023-06-01" },
    );
    expect(raw.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(raw.headers.get("request-id")).toMatch(/^req_/);
    const events = parseSse(await raw.text());
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const e of events) expect(JSON.parse(e.data).type).toBe(e.event);
    expect(JSON.parse(events[0]?.data ?? "{}").message.usage).toMatchObject({
      input_tokens: mockPromptTokens(["Tell me something nice about the sea"]),
      output_tokens: 1,
    });
    expect(JSON.parse(events[3]?.data ?? "{}").delta).toEqual({ type: "text_delta", text: "Mock" });
    expect(JSON.parse(events[7]?.data ?? "{}")).toMatchObject({
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 3 },
    });
  });

  it("counts tokens exactly as the message usage does", async () => {
    const params = { model: "claude-sonnet-5-5", system, messages, tools: [weatherTool] };
    const counted = await client().messages.countTokens(params);
    const msg = await client().messages.create({ ...params, max_tokens: 1 });
    expect(counted.input_tokens).toBe(msg.usage.input_tokens);
    expect(counted.input_tokens).toBe(promptTokens + mockPromptTokens(["get_weather Current weather for a city"]));
  });

  it("answers with a tool_use block when asked about the weather", async () => {
    const msg = await client().messages.create({
      model: "claude-sonnet-5-5",
      max_tokens: 100,
      tools: [weatherTool],
      messages: [{ role: "user", content: [{ type: "text", text: "What's the weather like in Rome?" }] }],
    });
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content).toEqual([{ type: "tool_use", id: expect.stringMatching(/^toolu_/), name: "get_weather", input: { city: "Paris" } }]);
    expect(msg.usage.output_tokens).toBe(mockToolCallTokens(JSON.stringify({ city: "Paris" })));
  });

  it("streams tool input as input_json_delta pieces the SDK parses", async () => {
    const stream = client().messages.stream({
      model: "claude-sonnet-5-5",
      max_tokens: 100,
      tools: [weatherTool],
      tool_choice: { type: "any" },
      messages: [{ role: "user", content: "hello" }],
    });
    const partials: string[] = [];
    stream.on("inputJson", (partial) => partials.push(partial));
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe("tool_use");
    expect(final.content[0]).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Paris" } });
    expect(partials.join("")).toBe('{"city":"Paris"}');
    expect(final.usage.output_tokens).toBe(partials.length);

    const raw = await postJson(
      `${mock.current.url}/v1/messages`,
      { model: "m", max_tokens: 100, tools: [weatherTool], stream: true, messages: [{ role: "user", content: "weather?" }] },
      { "x-api-key": "k" },
    );
    const events = parseSse(await raw.text());
    const start = JSON.parse(events[1]?.data ?? "{}");
    expect(start.content_block).toMatchObject({ type: "tool_use", name: "get_weather", input: {} });
    const deltas = events.filter((e) => e.event === "content_block_delta").map((e) => JSON.parse(e.data).delta);
    expect(deltas.every((d) => d.type === "input_json_delta")).toBe(true);
    expect(JSON.parse(events.at(-2)?.data ?? "{}").delta.stop_reason).toBe("tool_use");
  });

  it("answers a tool_result with text, and none/specific tool choices are honoured", async () => {
    const afterTool = await client().messages.create({
      model: "m",
      max_tokens: 6,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "weather in Paris?" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }] },
      ],
    });
    expect(afterTool.stop_reason).toBe("end_turn");
    expect(afterTool.content).toEqual([{ type: "text", text: "Mock reply to: sunny lorem ipsum" }]);

    const none = await client().messages.create({
      model: "m",
      max_tokens: 2,
      tools: [weatherTool],
      tool_choice: { type: "none" },
      messages: [{ role: "user", content: "weather?" }],
    });
    expect(none.content[0]?.type).toBe("text");
  });

  it("lists models in Anthropic's paginated shape", async () => {
    const page = await client().models.list({ limit: 2 });
    expect(page.data.map((m) => m.id)).toEqual(DEFAULT_MODELS.anthropic.slice(0, 2));
    expect(page.has_more).toBe(true);
    expect(page.first_id).toBe(DEFAULT_MODELS.anthropic[0]);
    expect(page.last_id).toBe(DEFAULT_MODELS.anthropic[1]);
    const all: string[] = [];
    for await (const model of client().models.list({ limit: 2 })) all.push(model.id);
    expect(all).toEqual(DEFAULT_MODELS.anthropic);
    const one = await client().models.retrieve("claude-sonnet-5-5");
    expect(one).toMatchObject({ type: "model", id: "claude-sonnet-5-5", display_name: expect.any(String) });
    expect(mock.current.requests.every((r) => typeof r.headers["anthropic-version"] === "string")).toBe(true);
  });

  it("returns Anthropic's error shapes: 401 without a credential, 400 without max_tokens", async () => {
    const res = await postJson(
      `${mock.current.url}/v1/messages`,
      { model: "m", max_tokens: 1, messages },
      {
        "anthropic-version": "2023-06-01",
      },
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      type: "error",
      error: { type: "authentication_error", message: expect.any(String) },
    });

    const noMax = client().messages.create({ model: "m", messages } as unknown as Anthropic.MessageCreateParamsNonStreaming);
    await expect(noMax).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(noMax).rejects.toMatchObject({ error: { type: "error", error: { type: "invalid_request_error" } } });
    // This SDK sends its key as a bearer token; x-api-key is accepted too (see the raw requests above).
    expect(mock.current.requests.at(-1)?.headers.authorization).toBe("Bearer sk-ant-upstream-test");
  });
});
