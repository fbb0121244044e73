import { ApiError, FunctionCallingConfigMode, GoogleGenAI, Type, type GenerateContentResponse } from "@google/genai";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODELS } from "./models";
import { mockReplyText } from "./reply";
import { mockPerTest, parseSse, postJson } from "./test-helpers";
import { mockPromptTokens, mockToolCallTokens } from "./tokens";

const mock = mockPerTest();
const ai = () => new GoogleGenAI({ apiKey: "AIza-upstream-test", httpOptions: { baseUrl: mock.current.url } });

const question = "Why is the sky blue during the day?";
const system = "Be brief.";
const promptTokens = mockPromptTokens([system, question]);
const weatherDeclaration = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: Type.OBJECT, properties: { location: { type: Type.STRING } }, required: ["location"] },
};

describe("Gemini generateContent", () => {
  it("answers generateContent with candidates and exact usageMetadata", async () => {
    const res = await ai().models.generateContent({
      model: "gemini-2.5-flash",
      contents: question,
      config: { systemInstruction: system, maxOutputTokens: 9 },
    });
    expect(res.text).toBe(mockReplyText(question, 9));
    expect(res.candidates?.[0]).toMatchObject({ finishReason: "STOP", content: { role: "model" } });
    expect(res.usageMetadata).toMatchObject({
      promptTokenCount: promptTokens,
      candidatesTokenCount: 9,
      totalTokenCount: promptTokens + 9,
    });
    expect(res.modelVersion).toBe("gemini-2.5-flash");
    const recorded = mock.current.requests.at(-1);
    expect(recorded?.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(recorded?.headers["x-goog-api-key"]).toBe("AIza-upstream-test");
  });

  it("streams with alt=sse: one word per chunk, finishReason and usage on the last", async () => {
    const stream = await ai().models.generateContentStream({
      model: "gemini-2.0-flash",
      contents: question,
      config: { systemInstruction: system, maxOutputTokens: 7 },
    });
    const chunks: GenerateContentResponse[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(7);
    expect(chunks.map((c) => c.text).join("")).toBe(mockReplyText(question, 7));
    expect(chunks.slice(0, -1).every((c) => c.candidates?.[0]?.finishReason === undefined && !c.usageMetadata)).toBe(true);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe("STOP");
    expect(chunks.at(-1)?.usageMetadata).toMatchObject({ promptTokenCount: promptTokens, candidatesTokenCount: 7 });
    expect(mock.current.requests.at(-1)?.url).toBe("/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");

    const raw = await postJson(`${mock.current.url}/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=k`, {
      contents: [{ role: "user", parts: [{ text: question }] }],
      generationConfig: { maxOutputTokens: 3 },
    });
    expect(raw.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const body = await raw.text();
    expect(body.startsWith("data: {")).toBe(true);
    expect(body.endsWith("}\r\n\r\n")).toBe(true);
    const events = parseSse(body);
    expect(events).toHaveLength(3);
    expect(JSON.parse(events[2]?.data ?? "{}").usageMetadata.totalTokenCount).toBe(mockPromptTokens([question]) + 3);
  });

  it("streams a JSON array without alt=sse", async () => {
    const raw = await postJson(
      `${mock.current.url}/v1beta/models/gemini-2.5-pro:streamGenerateContent`,
      { contents: [{ parts: [{ text: question }] }], generation_config: { max_output_tokens: 4 } },
      { "x-goog-api-key": "k" },
    );
    expect(raw.headers.get("content-type")).toMatch(/^application\/json/);
    const items = JSON.parse(await raw.text()) as GenerateContentResponse[];
    expect(items).toHaveLength(4);
    expect(items.map((i) => i.candidates?.[0]?.content?.parts?.[0]?.text).join("")).toBe(mockReplyText(question, 4));
    expect(items[3]?.usageMetadata?.candidatesTokenCount).toBe(4);
  });

  it("counts tokens exactly as generateContent's promptTokenCount", async () => {
    const counted = await ai().models.countTokens({ model: "gemini-2.5-flash", contents: [question, "and at night?"] });
    const res = await ai().models.generateContent({ model: "gemini-2.5-flash", contents: [question, "and at night?"] });
    expect(counted.totalTokens).toBe(res.usageMetadata?.promptTokenCount);
    expect(counted.totalTokens).toBe(mockPromptTokens([`${question} and at night?`]));

    // The REST form with a whole generateContentRequest counts system and tools too.
    const raw = await postJson(
      `${mock.current.url}/v1beta/models/gemini-2.5-flash:countTokens`,
      {
        generateContentRequest: {
          model: "models/gemini-2.5-flash",
          systemInstruction: { parts: [{ text: system }] },
          contents: [{ role: "user", parts: [{ text: question }] }],
        },
      },
      { "x-goog-api-key": "k" },
    );
    expect((await raw.json()).totalTokens).toBe(promptTokens);
  });

  it("calls a function when tools are declared and the user asks about the weather", async () => {
    const res = await ai().models.generateContent({
      model: "gemini-2.5-flash",
      contents: "What's the weather in Oslo?",
      config: { tools: [{ functionDeclarations: [weatherDeclaration] }] },
    });
    expect(res.functionCalls).toEqual([{ name: "get_weather", args: { location: "Paris" } }]);
    expect(res.candidates?.[0]?.finishReason).toBe("STOP");
    expect(res.usageMetadata?.candidatesTokenCount).toBe(mockToolCallTokens('{"location":"Paris"}'));
    expect(res.usageMetadata?.promptTokenCount).toBe(mockPromptTokens(["What's the weather in Oslo?", "get_weather Current weather for a city"]));

    const stream = await ai().models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "hi",
      config: {
        tools: [{ functionDeclarations: [{ name: "lookup", parametersJsonSchema: { type: "object" } }, weatherDeclaration] }],
        toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ["get_weather"] } },
      },
    });
    const chunks: GenerateContentResponse[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.functionCalls).toEqual([{ name: "get_weather", args: { location: "Paris" } }]);
    expect(chunks[0]?.usageMetadata?.candidatesTokenCount).toBe(mockToolCallTokens('{"location":"Paris"}'));
  });

  it("answers a functionResponse with text", async () => {
    const res = await ai().models.generateContent({
      model: "gemini-2.5-flash",
      config: { tools: [{ functionDeclarations: [weatherDeclaration] }], maxOutputTokens: 5 },
      contents: [
        { role: "user", parts: [{ text: "weather in Oslo?" }] },
        { role: "model", parts: [{ functionCall: { name: "get_weather", args: { location: "Oslo" } } }] },
        { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { temp: 3 } } }] },
      ],
    });
    expect(res.functionCalls).toBeUndefined();
    expect(res.text).toBe('Mock reply to: get_weather {"temp":3}');
  });

  it("lists models in Gemini's shape", async () => {
    const pager = await ai().models.list();
    const names: string[] = [];
    for await (const model of pager) names.push(model.name ?? "");
    expect(names).toEqual(DEFAULT_MODELS.gemini.map((id) => `models/${id}`));
    const one = await ai().models.get({ model: "gemini-3.1-pro-preview" });
    expect(one).toMatchObject({ name: "models/gemini-3.1-pro-preview", inputTokenLimit: expect.any(Number) });
  });

  it("returns Gemini's error shape: 401 without a credential, 400 without contents", async () => {
    const res = await postJson(`${mock.current.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      contents: [{ parts: [{ text: "hi" }] }],
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 401, message: expect.any(String), status: "UNAUTHENTICATED" } });

    const withQueryKey = await postJson(`${mock.current.url}/v1beta/models/gemini-2.5-flash:generateContent?key=abc`, {
      contents: [{ parts: [{ text: "hi" }] }],
    });
    expect(withQueryKey.status).toBe(200);

    // The SDK refuses empty contents itself, so send it raw.
    const empty = await postJson(`${mock.current.url}/v1beta/models/gemini-2.5-flash:generateContent?key=abc`, { contents: [] });
    expect(empty.status).toBe(400);
    expect((await empty.json()).error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });

    const unknown = ai().models.get({ model: "no-such-model" });
    await expect(unknown).rejects.toBeInstanceOf(ApiError);
    await expect(unknown).rejects.toMatchObject({ status: 404, message: expect.stringContaining("NOT_FOUND") });
  });
});
