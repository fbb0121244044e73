import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODELS } from "./models";
import { mockReplyText, mockToolArguments } from "./reply";
import { mockPerTest, parseSse, postJson } from "./test-helpers";
import { DEFAULT_OUTPUT_TOKENS, mockPromptTokens, mockToolCallTokens } from "./tokens";

const mock = mockPerTest();
const client = () => new OpenAI({ apiKey: "sk-upstream-test", baseURL: `${mock.current.url}/v1`, maxRetries: 0 });

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "Hello there, how are you today?" },
];
const promptTokens = mockPromptTokens(["You are terse.", "Hello there, how are you today?"]);

const weatherTool: OpenAI.ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: {
      type: "object",
      properties: { location: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
      required: ["location", "unit"],
    },
  },
};

describe("OpenAI chat completions", () => {
  it("answers a non-streaming request with a chat.completion and exact usage", async () => {
    const res = await client().chat.completions.create({ model: "gpt-4o-mini", messages });
    expect(res.object).toBe("chat.completion");
    expect(res.model).toBe("gpt-4o-mini");
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.choices).toHaveLength(1);
    const [choice] = res.choices;
    expect(choice?.message).toMatchObject({ role: "assistant", refusal: null });
    expect(choice?.message.content).toBe(mockReplyText("Hello there, how are you today?", DEFAULT_OUTPUT_TOKENS));
    expect(choice?.message.content).toMatch(/^Mock reply to: Hello there, how are you today\? lorem/);
    expect(choice?.logprobs).toBeNull();
    expect(choice?.finish_reason).toBe("stop");
    expect(res.usage).toMatchObject({
      prompt_tokens: promptTokens,
      completion_tokens: DEFAULT_OUTPUT_TOKENS,
      total_tokens: promptTokens + DEFAULT_OUTPUT_TOKENS,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it("makes the reply as long as max_completion_tokens or max_tokens", async () => {
    const a = await client().chat.completions.create({ model: "m", messages, max_completion_tokens: 5 });
    expect(a.choices[0]?.message.content).toBe("Mock reply to: Hello there,");
    expect(a.usage?.completion_tokens).toBe(5);
    const b = await client().chat.completions.create({ model: "m", messages, max_tokens: 40 });
    expect(b.choices[0]?.message.content?.split(" ")).toHaveLength(40);
    expect(b.usage?.completion_tokens).toBe(40);
  });

  it("streams a role chunk, one chunk per word, a finish chunk and [DONE], without usage unless asked", async () => {
    const stream = await client().chat.completions.create({ model: "gpt-4o", messages, stream: true, max_tokens: 6 });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(1 + 6 + 1);
    expect(chunks[0]?.choices[0]?.delta).toMatchObject({ role: "assistant", content: "" });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(mockReplyText("Hello there, how are you today?", 6));
    expect(chunks.slice(0, -1).every((c) => c.choices[0]?.finish_reason === null)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "gpt-4o" && !c.usage)).toBe(true);

    const raw = await postJson(
      `${mock.current.url}/v1/chat/completions`,
      { model: "gpt-4o", messages, stream: true, max_tokens: 6 },
      {
        authorization: "Bearer k",
      },
    );
    expect(raw.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const body = await raw.text();
    expect(body).not.toContain('"usage"');
    expect(body.endsWith('"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n')).toBe(true);
    expect(
      body
        .split("\n\n")
        .filter(Boolean)
        .every((line) => line.startsWith("data: ")),
    ).toBe(true);
  });

  it("adds the usage chunk (choices: []) before [DONE] only with stream_options.include_usage", async () => {
    const stream = await client().chat.completions.create({
      model: "gpt-4o",
      messages,
      stream: true,
      max_tokens: 4,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(1 + 4 + 1 + 1);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: 4, total_tokens: promptTokens + 4 });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);

    const raw = await postJson(
      `${mock.current.url}/v1/chat/completions`,
      { model: "gpt-4o", messages, stream: true, max_tokens: 4, stream_options: { include_usage: true } },
      { authorization: "Bearer k" },
    );
    const events = parseSse(await raw.text());
    expect(events.at(-1)?.data).toBe("[DONE]");
    const usageChunk = JSON.parse(events.at(-2)?.data ?? "{}");
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage.completion_tokens).toBe(4);
  });

  it("calls the first tool when the user asks about the weather", async () => {
    const res = await client().chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
      tools: [weatherTool],
    });
    const [choice] = res.choices;
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ location: "Paris", unit: "celsius" });
    expect(res.usage?.completion_tokens).toBe(mockToolCallTokens(call.function.arguments));
    expect(res.usage?.prompt_tokens).toBe(mockPromptTokens(["What is the weather in Paris?", "get_weather Current weather for a city"]));
  });

  it("streams tool call deltas the SDK's stream helper reassembles", async () => {
    const stream = client().chat.completions.stream({
      model: "gpt-4o",
      messages: [{ role: "user", content: "weather please" }],
      tools: [weatherTool],
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    stream.on("chunk", (chunk) => {
      const args = chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments;
      if (args) deltas.push(args);
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== "function") throw new Error("expected a function call");
    const expected = JSON.stringify(mockToolArguments(weatherTool.function.parameters));
    expect(call.function.arguments).toBe(expected);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(expected);
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
    expect(final.usage?.completion_tokens).toBe(deltas.length);
  });

  it("honours tool_choice: a forced function without the keyword, none with it", async () => {
    const other: OpenAI.ChatCompletionTool = { type: "function", function: { name: "lookup", parameters: { type: "object" } } };
    const forced = await client().chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "hi" }],
      tools: [other, weatherTool],
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    const call = forced.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.name).toBe("get_weather");

    const none = await client().chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "weather?" }],
      tools: [weatherTool],
      tool_choice: "none",
    });
    expect(none.choices[0]?.message.tool_calls).toBeUndefined();
    expect(none.choices[0]?.finish_reason).toBe("stop");
  });

  it("answers a tool result with text, echoing it", async () => {
    const res = await client().chat.completions.create({
      model: "gpt-4o",
      tools: [weatherTool],
      messages: [
        { role: "user", content: "weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"location":"Paris"}' } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "18 degrees and sunny" },
      ],
    });
    expect(res.choices[0]?.finish_reason).toBe("stop");
    expect(res.choices[0]?.message.content).toMatch(/^Mock reply to: 18 degrees and sunny lorem/);
    expect(res.usage?.prompt_tokens).toBe(
      mockPromptTokens(["weather in Paris?", 'get_weather {"location":"Paris"}', "18 degrees and sunny", "get_weather Current weather for a city"]),
    );
  });

  it("lists and retrieves models in OpenAI's shape", async () => {
    const page = await client().models.list();
    expect(page.data.map((m) => m.id)).toEqual(DEFAULT_MODELS.openai);
    expect(page.data[0]).toMatchObject({ object: "model", owned_by: expect.any(String), created: expect.any(Number) });
    const model = await client().models.retrieve("gpt-5.4-mini");
    expect(model.id).toBe("gpt-5.4-mini");
    await expect(client().models.retrieve("nope")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("returns OpenAI's 401 body when no credential is sent, and 400 for a bad request", async () => {
    const res = await postJson(`${mock.current.url}/v1/chat/completions`, { model: "gpt-4o", messages });
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body).toEqual({
      error: { message: expect.stringContaining("API key"), type: "invalid_request_error", param: null, code: null },
    });
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);

    await expect(client().chat.completions.create({ model: "gpt-4o", messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const recorded = mock.current.requests.at(-1);
    expect(recorded?.headers.authorization).toBe("Bearer sk-upstream-test");
    expect(JSON.parse(recorded?.body ?? "{}")).toMatchObject({ model: "gpt-4o", messages: [] });
  });
});
