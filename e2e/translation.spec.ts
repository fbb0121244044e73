import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI, type FunctionDeclaration } from "@google/genai";
import { expect, test } from "@playwright/test";
import OpenAI from "openai";
import { createKey, loggedRequest } from "./fixtures/cli";
import { runClaudeCode } from "./fixtures/claude-code";

// Any model from any protocol: each official client against models the demo serves only over
// another protocol (the bundled mock behind one channel per protocol), so every request here is
// translated on the way up and the answer translated on the way back.

const base = () => process.env.E2E_BASE_URL!;
const OPENAI_MODEL = "gpt-4.1-mini";
const ANTHROPIC_MODEL = "claude-sonnet-4-6";
const GEMINI_MODEL = "gemini-2.5-flash";

const weatherSchema = { type: "object", properties: { location: { type: "string" } }, required: ["location"] } as const;

let key: string;
test.beforeAll(async () => {
  ({ key } = await createKey("Starter 30"));
});

test.describe("OpenAI client", () => {
  const client = () => new OpenAI({ apiKey: key, baseURL: `${base()}/v1`, maxRetries: 0 });

  for (const model of [ANTHROPIC_MODEL, GEMINI_MODEL]) {
    test(`→ ${model}: answer and stream, usage from the upstream's own counts`, async () => {
      const { data, response } = await client()
        .chat.completions.create({
          model,
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "hello translation" },
          ],
          max_tokens: 7,
        })
        .withResponse();
      expect(data.object).toBe("chat.completion");
      expect(data.model).toBe(model);
      expect(data.choices[0]?.message.content).toMatch(/^Mock reply to: hello translation/);
      expect(data.choices[0]?.finish_reason).toBe("stop");
      expect(data.usage?.completion_tokens).toBe(7);
      const row = await loggedRequest(response.headers.get("x-request-id")!);
      expect(row).toMatchObject({ status: 200, model, inputTokens: data.usage!.prompt_tokens, outputTokens: 7, estimated: false });

      const { data: stream, response: streamed } = await client()
        .chat.completions.create({
          model,
          messages: [{ role: "user", content: "stream translation" }],
          max_tokens: 6,
          stream: true,
          stream_options: { include_usage: true },
        })
        .withResponse();
      const parts: string[] = [];
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of stream) {
        parts.push(chunk.choices[0]?.delta.content ?? "");
        if (chunk.usage) usage = chunk.usage;
      }
      expect(parts.filter(Boolean).length).toBeGreaterThan(3); // delivered incrementally
      expect(parts.join("")).toMatch(/^Mock reply to: stream translation/);
      expect(usage?.completion_tokens).toBe(6);
      const streamRow = await loggedRequest(streamed.headers.get("x-request-id")!);
      expect(streamRow).toMatchObject({ status: 200, stream: true, outputTokens: 6, estimated: false });
    });

    test(`→ ${model}: tool call round trip`, async () => {
      const tools: OpenAI.ChatCompletionTool[] = [
        { type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: weatherSchema } },
      ];
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "What is the weather in Paris?" }];
      const first = await client().chat.completions.create({ model, messages, tools, max_tokens: 20 });
      const call = first.choices[0]?.message.tool_calls?.[0];
      expect(first.choices[0]?.finish_reason).toBe("tool_calls");
      expect(call?.type === "function" && call.function.name).toBe("get_weather");
      expect(JSON.parse(call?.type === "function" ? call.function.arguments : "{}")).toHaveProperty("location");
      messages.push(first.choices[0]!.message, { role: "tool", tool_call_id: call!.id, content: "18°C and sunny" });
      const second = await client().chat.completions.create({ model, messages, tools, max_tokens: 8 });
      expect(second.choices[0]?.message.content).toMatch(/^Mock reply to:/);

      // And streamed: the call's arguments arrive as deltas the SDK assembles.
      const runner = client().chat.completions.stream({ model, messages: [messages[0]!], tools, max_tokens: 20 });
      const final = await runner.finalChatCompletion();
      expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: "get_weather" } });
    });
  }

  test("a field the upstream's protocol cannot take is refused with a 400 naming it", async () => {
    const res = await fetch(`${base()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: ANTHROPIC_MODEL, n: 2, messages: [{ role: "user", content: "two answers" }] }),
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "invalid_request", type: "invalid_request_error", param: "n" });
    expect(body.error.message).toContain("n");
  });
});

test.describe("OpenAI Responses client (what Codex CLI speaks)", () => {
  for (const model of [ANTHROPIC_MODEL, GEMINI_MODEL]) {
    test(`→ ${model}: responses.create, responses.stream and a function call round trip; hosted tools left out and named`, async () => {
      let requestId = "";
      let dropped: string | null = null;
      const recordingFetch: typeof fetch = async (url, init) => {
        const res = await fetch(url, init);
        requestId = res.headers.get("x-request-id") ?? "";
        dropped = res.headers.get("x-gatehouse-dropped-tools");
        return res;
      };
      const client = new OpenAI({ apiKey: key, baseURL: `${base()}/v1`, maxRetries: 0, fetch: recordingFetch });
      const data = await client.responses.create({ model, instructions: "Be brief.", input: "hello responses", max_output_tokens: 7 });
      expect(data).toMatchObject({ object: "response", status: "completed", model });
      expect(data.output_text).toMatch(/^Mock reply to: hello responses/);
      expect(data.usage?.output_tokens).toBe(7);
      const row = await loggedRequest(requestId);
      expect(row).toMatchObject({ status: 200, model, inputTokens: data.usage!.input_tokens, outputTokens: 7, estimated: false });

      const tools: OpenAI.Responses.Tool[] = [
        { type: "function", name: "get_weather", description: "Weather for a city", parameters: weatherSchema, strict: false },
        { type: "web_search" },
      ];
      const stream = client.responses.stream({ model, input: "What is the weather in Paris?", tools, max_output_tokens: 20 });
      const argumentDeltas: string[] = [];
      stream.on("response.function_call_arguments.delta", (e) => argumentDeltas.push(e.delta));
      const first = await stream.finalResponse();
      expect(dropped).toBe("web_search");
      const call = first.output.find((o) => o.type === "function_call");
      expect(call).toMatchObject({ type: "function_call", name: "get_weather", status: "completed" });
      expect(argumentDeltas.join("")).toBe((call as OpenAI.Responses.ResponseFunctionToolCall).arguments);
      const streamRow = await loggedRequest(requestId);
      expect(streamRow).toMatchObject({
        status: 200,
        stream: true,
        inputTokens: first.usage!.input_tokens,
        outputTokens: first.usage!.output_tokens,
        estimated: false,
      });

      const { call_id, name, arguments: args } = call as OpenAI.Responses.ResponseFunctionToolCall;
      const second = await client.responses.create({
        model,
        tools,
        max_output_tokens: 8,
        input: [
          { role: "user", content: "What is the weather in Paris?" },
          { type: "function_call", call_id, name, arguments: args },
          { type: "function_call_output", call_id, output: "18°C and sunny" },
        ],
      });
      expect(second.output_text).toMatch(/^Mock reply to:/);
    });
  }
});

test.describe("Anthropic client", () => {
  const client = () => new Anthropic({ apiKey: key, baseURL: base(), maxRetries: 0 });

  for (const model of [OPENAI_MODEL, GEMINI_MODEL]) {
    test(`→ ${model}: message and stream, usage recorded`, async () => {
      const { data, response } = await client()
        .messages.create({ model, max_tokens: 5, system: "Be brief.", messages: [{ role: "user", content: "hello anthropic" }] })
        .withResponse();
      expect(data).toMatchObject({ type: "message", role: "assistant", model, stop_reason: "end_turn" });
      expect(data.content[0]).toMatchObject({ type: "text", text: expect.stringMatching(/^Mock reply to: hello anthropic/) });
      expect(data.usage.output_tokens).toBe(5);
      const row = await loggedRequest(response.headers.get("x-request-id")!);
      expect(row).toMatchObject({ status: 200, outputTokens: 5, inputTokens: data.usage.input_tokens });

      const stream = client().messages.stream({ model, max_tokens: 6, messages: [{ role: "user", content: "stream anthropic" }] });
      const deltas: string[] = [];
      stream.on("text", (t) => deltas.push(t));
      const final = await stream.finalMessage();
      expect(deltas.length).toBeGreaterThan(3);
      expect(deltas.join("")).toMatch(/^Mock reply to: stream anthropic/);
      expect(final.usage.output_tokens).toBe(6);
    });

    test(`→ ${model}: tool use round trip`, async () => {
      const tools: Anthropic.Tool[] = [
        { name: "get_weather", description: "Weather for a city", input_schema: { ...weatherSchema, required: [...weatherSchema.required] } },
      ];
      const first = await client().messages.create({ model, max_tokens: 30, tools, messages: [{ role: "user", content: "Weather in Paris?" }] });
      expect(first.stop_reason).toBe("tool_use");
      const use = first.content.find((b) => b.type === "tool_use");
      expect(use).toMatchObject({ type: "tool_use", name: "get_weather", input: { location: expect.any(String) } });
      const second = await client().messages.create({
        model,
        max_tokens: 8,
        tools,
        messages: [
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", content: first.content },
          { role: "user", content: [{ type: "tool_result", tool_use_id: use!.type === "tool_use" ? use!.id : "", content: "18°C and sunny" }] },
        ],
      });
      expect(second.content[0]).toMatchObject({ type: "text" });
    });
  }

  test("Claude Code's request shapes (system blocks, 20+ tools, thinking, anthropic-beta, ?beta=true) reach an OpenAI-served model", async ({}, testInfo) => {
    test.setTimeout(120_000);
    const run = await runClaudeCode({
      baseUrl: base(),
      credential: { authToken: key },
      args: ["-p", "Say hello", "--model", OPENAI_MODEL, "--output-format", "json"],
      timeoutMs: 60_000,
    });
    testInfo.annotations.push({ type: "claude code stderr", description: run.stderr.slice(0, 2000) });
    expect(run.timedOut).toBe(false);
    expect(run.code, `${run.stdout.slice(0, 1000)}\n${run.stderr.slice(0, 1000)}`).toBe(0);
    expect(run.json?.result).toContain("Mock reply to:");
  });
});

test.describe("Gemini client", () => {
  const client = () => new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: base() } });

  for (const model of [OPENAI_MODEL, ANTHROPIC_MODEL]) {
    test(`→ ${model}: generateContent, stream and a function call round trip`, async () => {
      const answer = await client().models.generateContent({
        model,
        contents: "hello gemini client",
        config: { maxOutputTokens: 8, systemInstruction: "Be brief." },
      });
      expect(answer.text).toMatch(/^Mock reply to: hello gemini client/);
      expect(answer.usageMetadata?.candidatesTokenCount).toBe(8);

      const parts: string[] = [];
      for await (const chunk of await client().models.generateContentStream({ model, contents: "stream gemini client", config: { maxOutputTokens: 8 } }))
        parts.push(chunk.text ?? "");
      expect(parts.length).toBeGreaterThan(3);
      expect(parts.join("")).toMatch(/^Mock reply to: stream gemini client/);

      const declaration: FunctionDeclaration = { name: "get_weather", description: "Weather for a city", parametersJsonSchema: weatherSchema };
      const tools = [{ functionDeclarations: [declaration] }];
      const called = await client().models.generateContent({ model, contents: "Weather in Paris?", config: { tools, maxOutputTokens: 30 } });
      const call = called.functionCalls?.[0];
      expect(call).toMatchObject({ name: "get_weather", args: { location: expect.any(String) } });
      // The round trip: the call and its result go back, and the model answers in text.
      const answered = await client().models.generateContent({
        model,
        contents: [
          { role: "user", parts: [{ text: "Weather in Paris?" }] },
          { role: "model", parts: [{ functionCall: call }] },
          { role: "user", parts: [{ functionResponse: { id: call?.id, name: "get_weather", response: { output: "18°C and sunny" } } }] },
        ],
        config: { tools, maxOutputTokens: 8 },
      });
      expect(answered.text).toMatch(/^Mock reply to:/);
    });
  }
});
