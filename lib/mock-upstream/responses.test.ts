import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { mockJsonForSchema, mockReplyText, MOCK_COMMAND_TRIGGER } from "./reply";
import { mockPerTest, parseSse, postJson } from "./test-helpers";
import { DEFAULT_OUTPUT_TOKENS, mockPromptTokens } from "./tokens";

const mock = mockPerTest();
const client = () => new OpenAI({ apiKey: "sk-upstream-test", baseURL: `${mock.current.url}/v1`, maxRetries: 0 });

/** The command tool as Codex CLI declares it (abridged). */
const execCommand = {
  type: "function" as const,
  name: "exec_command",
  description: "Runs a command in a PTY",
  strict: false,
  parameters: { type: "object", properties: { cmd: { type: "string" }, workdir: { type: "string" } }, required: ["cmd"], additionalProperties: false },
};

const schema = {
  type: "object",
  properties: {
    name: { type: "string" },
    age: { type: "integer", minimum: 18 },
    tags: { type: "array", items: { type: "string", enum: ["a", "b"] }, minItems: 2 },
    address: { anyOf: [{ $ref: "#/$defs/address" }, { type: "null" }] },
  },
  required: ["name", "age", "tags", "address"],
  additionalProperties: false,
  $defs: { address: { type: "object", properties: { city: { type: "string" }, zip: { type: "string", minLength: 5 } }, required: ["city", "zip"] } },
};
const conforming = { name: "mock", age: 18, tags: ["a", "a"], address: { city: "Paris", zip: "mockx" } };

describe("OpenAI Responses API", () => {
  it("answers with a response object and exact usage, read by the official SDK", async () => {
    const res = await client().responses.create({ model: "gpt-4o-mini", instructions: "Be terse.", input: "Hello there" });
    expect(res).toMatchObject({ object: "response", status: "completed", model: "gpt-4o-mini" });
    expect(res.output_text).toBe(mockReplyText("Hello there", DEFAULT_OUTPUT_TOKENS));
    const input = mockPromptTokens(["Be terse.", "Hello there"]);
    expect(res.usage).toMatchObject({ input_tokens: input, output_tokens: DEFAULT_OUTPUT_TOKENS, total_tokens: input + DEFAULT_OUTPUT_TOKENS });
  });

  it("streams the documented events in order, each with its sequence number", async () => {
    const stream = client().responses.stream({ model: "gpt-4o-mini", input: [{ role: "user", content: "Hi" }], max_output_tokens: 3 });
    const types: string[] = [];
    const sequence: number[] = [];
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
    }
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(mockReplyText("Hi", 3));
    expect(final.usage?.output_tokens).toBe(3);
    expect(sequence).toEqual(types.map((_, i) => i));
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
  });

  it("calls the command tool when asked to run a command, and answers in text once it ran", async () => {
    const prompt = `Please ${MOCK_COMMAND_TRIGGER}: echo gatehouse-ok`;
    const first = await client().responses.create({ model: "gpt-4o-mini", input: prompt, tools: [execCommand, { type: "web_search" }] });
    const call = first.output[0];
    expect(call).toMatchObject({ type: "function_call", name: "exec_command", status: "completed" });
    if (call?.type !== "function_call") throw new Error("no call");
    expect(JSON.parse(call.arguments)).toEqual({ cmd: "echo gatehouse-ok" });

    const second = await client().responses.create({
      model: "gpt-4o-mini",
      tools: [execCommand],
      input: [
        { role: "user", content: prompt },
        { type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: "function_call_output", call_id: call.call_id, output: "gatehouse-ok" },
      ],
    });
    expect(second.output[0]?.type).toBe("message");
    expect(second.output_text).toMatch(/^Mock reply to: gatehouse-ok/);
  });

  it("streams a function call as argument deltas and reports the token limit as incomplete", async () => {
    const streamed = await postJson(
      `${mock.current.url}/v1/responses`,
      { model: "m", stream: true, input: `${MOCK_COMMAND_TRIGGER}: ls`, tools: [execCommand] },
      { authorization: "Bearer k" },
    );
    const events = parseSse(await streamed.text()).map((e) => e.event);
    expect(events).toContain("response.function_call_arguments.delta");
    expect(events.indexOf("response.function_call_arguments.done")).toBeLessThan(events.indexOf("response.output_item.done"));
    const truncated = await client().responses.create({ model: "m", input: "Hi" }, { headers: { "x-mock-truncated": "1" } });
    expect(truncated).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
  });
});

describe("structured output, in every protocol", () => {
  it("generates JSON that follows the schema (types, required, enums, arrays, refs)", () => {
    expect(mockJsonForSchema(schema)).toEqual(conforming);
  });

  it("answers Chat Completions, Responses, Anthropic and Gemini schema requests with that JSON", async () => {
    const chat = await client().chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "a person" }],
      response_format: { type: "json_schema", json_schema: { name: "person", schema, strict: true } },
    });
    expect(JSON.parse(chat.choices[0]!.message.content!)).toEqual(conforming);

    const responses = await client().responses.create({ model: "m", input: "a person", text: { format: { type: "json_schema", name: "person", schema } } });
    expect(JSON.parse(responses.output_text)).toEqual(conforming);

    const headers = { "x-api-key": "k", "anthropic-version": "2023-06-01" };
    const anthropic = await postJson(
      `${mock.current.url}/v1/messages`,
      { model: "claude", max_tokens: 100, messages: [{ role: "user", content: "a person" }], output_config: { format: { type: "json_schema", schema } } },
      headers,
    );
    const message = (await anthropic.json()) as { content: { text: string }[] };
    expect(JSON.parse(message.content[0]!.text)).toEqual(conforming);

    const gemini = await postJson(
      `${mock.current.url}/v1beta/models/gemini-2.5-flash:generateContent`,
      { contents: [{ parts: [{ text: "a person" }] }], generationConfig: { responseMimeType: "application/json", responseJsonSchema: schema } },
      { "x-goog-api-key": "k" },
    );
    const generated = (await gemini.json()) as { candidates: { content: { parts: { text: string }[] } }[] };
    expect(JSON.parse(generated.candidates[0]!.content.parts[0]!.text)).toEqual(conforming);
  });
});
