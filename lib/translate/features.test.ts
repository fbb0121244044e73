// Field-by-field mappings (README table) and round trips: A → B → A keeps the meaning of every
// supported feature of the documented fixtures.

import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_TOKENS, getAdapter, translateRequest, type CanonicalRequest, type CanonicalResponse, type Protocol } from "./index";
import { CTX, fixture, fixtureNames, GEMINI_URL_MODEL, PAIRS } from "./test-helpers";

const tr = (from: Protocol, to: Protocol, body: unknown) =>
  translateRequest(from, to, body, { model: from === "gemini" ? GEMINI_URL_MODEL : undefined, upstreamModel: "m" });
const oa = (extra: Record<string, unknown>) => ({ model: "gpt", messages: [{ role: "user", content: "Hi" }], ...extra });
const an = (extra: Record<string, unknown>) => ({ model: "claude", max_tokens: 100, messages: [{ role: "user", content: "Hi" }], ...extra });
const ge = (extra: Record<string, unknown>) => ({ contents: [{ role: "user", parts: [{ text: "Hi" }] }], ...extra });

describe("sampling and limits", () => {
  it("maps temperature, top_p, top_k, stop sequences and the token limit", () => {
    expect(tr("openai", "anthropic", oa({ temperature: 0.2, top_p: 0.9, stop: "END", max_tokens: 50 }))).toMatchObject({
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ["END"],
      max_tokens: 50,
    });
    expect(
      tr(
        "openai",
        "gemini",
        oa({ temperature: 1.5, top_p: 0.9, stop: ["A", "B"], max_completion_tokens: 50, seed: 3, presence_penalty: 0.1, frequency_penalty: 0.2 }),
      ).generationConfig,
    ).toEqual({
      temperature: 1.5,
      topP: 0.9,
      stopSequences: ["A", "B"],
      maxOutputTokens: 50,
      seed: 3,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
    });
    expect(tr("anthropic", "gemini", an({ top_k: 40, stop_sequences: ["\n\nHuman:"] })).generationConfig).toEqual({
      maxOutputTokens: 100,
      topK: 40,
      stopSequences: ["\n\nHuman:"],
    });
    expect(tr("gemini", "anthropic", ge({ generation_config: { max_output_tokens: 64, top_k: 3, temperature: 0.5 } }))).toMatchObject({
      max_tokens: 64,
      top_k: 3,
      temperature: 0.5,
    });
    expect(tr("gemini", "openai", ge({ generationConfig: { maxOutputTokens: 64, stopSequences: ["x"] } }))).toMatchObject({
      max_completion_tokens: 64,
      stop: ["x"],
    });
  });

  it(`sends Anthropic max_tokens ${DEFAULT_MAX_TOKENS} only when the client set no limit`, () => {
    expect(tr("openai", "anthropic", oa({})).max_tokens).toBe(DEFAULT_MAX_TOKENS);
    expect(tr("gemini", "anthropic", ge({})).max_tokens).toBe(DEFAULT_MAX_TOKENS);
    expect(tr("openai", "anthropic", oa({ max_tokens: 7 })).max_tokens).toBe(7);
    expect(tr("anthropic", "openai", an({})).max_completion_tokens).toBe(100);
  });

  it("asks every streaming upstream to report usage", () => {
    expect(tr("anthropic", "openai", an({ stream: true }))).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(tr("gemini", "openai", ge({}))).not.toHaveProperty("stream");
    expect(translateRequest("gemini", "openai", ge({}), { model: "g", upstreamModel: "m", stream: true })).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(tr("openai", "anthropic", oa({ stream: true }))).toMatchObject({ stream: true });
    expect(getAdapter("openai").parseRequest(oa({ stream: true, stream_options: { include_usage: true } })).includeUsage).toBe(true);
  });
});

describe("tools", () => {
  it("maps tool choice both ways", () => {
    const choices: [unknown, unknown, unknown][] = [
      ["auto", { type: "auto" }, { mode: "AUTO" }],
      ["none", { type: "none" }, { mode: "NONE" }],
      ["required", { type: "any" }, { mode: "ANY" }],
      [
        { type: "function", function: { name: "f" } },
        { type: "tool", name: "f" },
        { mode: "ANY", allowedFunctionNames: ["f"] },
      ],
    ];
    const tools = [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }];
    for (const [openai, anthropic, gemini] of choices) {
      expect(tr("openai", "anthropic", oa({ tools, tool_choice: openai })).tool_choice).toEqual(anthropic);
      expect(tr("openai", "gemini", oa({ tools, tool_choice: openai })).toolConfig).toEqual({ functionCallingConfig: gemini });
      expect(tr("anthropic", "openai", an({ tools: [{ name: "f", input_schema: { type: "object" } }], tool_choice: anthropic })).tool_choice).toEqual(openai);
      expect(
        tr("gemini", "openai", ge({ tools: [{ functionDeclarations: [{ name: "f" }] }], toolConfig: { functionCallingConfig: gemini } })).tool_choice,
      ).toEqual(openai);
    }
  });

  it("maps parallel_tool_calls false ⇄ disable_parallel_tool_use", () => {
    expect(tr("openai", "anthropic", oa({ parallel_tool_calls: false })).tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(tr("openai", "anthropic", oa({ tool_choice: "required", parallel_tool_calls: false })).tool_choice).toEqual({
      type: "any",
      disable_parallel_tool_use: true,
    });
    expect(tr("anthropic", "openai", an({ tool_choice: { type: "auto", disable_parallel_tool_use: true } }))).toMatchObject({
      tool_choice: "auto",
      parallel_tool_calls: false,
    });
  });

  it("carries a tool error flag to Gemini as the documented error key, and reads it back", () => {
    const body = an({
      messages: [
        { role: "user", content: "Run it" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "run", input: {} }] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "boom", is_error: true },
            { type: "text", text: "Fix it" },
          ],
        },
      ],
    });
    const gemini = tr("anthropic", "gemini", body);
    expect(gemini.contents).toEqual([
      { role: "user", parts: [{ text: "Run it" }] },
      { role: "model", parts: [{ functionCall: { name: "run", args: {} } }] },
      { role: "user", parts: [{ functionResponse: { name: "run", response: { error: "boom" } } }] },
      { role: "user", parts: [{ text: "Fix it" }] },
    ]);
    const back = tr("gemini", "anthropic", gemini);
    expect(back.messages).toEqual([
      { role: "user", content: "Run it" },
      { role: "assistant", content: [{ type: "tool_use", id: "call_1_0", name: "run", input: {} }] },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1_0", content: "boom", is_error: true },
          { type: "text", text: "Fix it" },
        ],
      },
    ]);
  });

  it("converts Gemini OpenAPI schemas (uppercase types, nullable, int64 strings) to JSON Schema", () => {
    const out = tr(
      "gemini",
      "openai",
      ge({
        tools: [
          {
            functionDeclarations: [
              {
                name: "f",
                parameters: {
                  type: "OBJECT",
                  properties: { tags: { type: "ARRAY", items: { type: "STRING" }, minItems: "1" }, note: { type: "STRING", nullable: true } },
                  propertyOrdering: ["tags", "note"],
                  required: ["tags"],
                },
              },
            ],
          },
        ],
      }),
    );
    expect((out.tools as { function: { parameters: unknown } }[])[0]!.function.parameters).toEqual({
      type: "object",
      properties: { tags: { type: "array", items: { type: "string" }, minItems: 1 }, note: { type: ["string", "null"] } },
      required: ["tags"],
    });
  });
});

describe("JSON output", () => {
  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
  it("maps OpenAI json_schema ⇄ Gemini responseJsonSchema ⇄ Anthropic output_config.format", () => {
    const openai = oa({ response_format: { type: "json_schema", json_schema: { name: "location", schema, strict: true } } });
    expect(tr("openai", "gemini", openai).generationConfig).toEqual({ responseMimeType: "application/json", responseJsonSchema: schema });
    expect(tr("openai", "anthropic", openai).output_config).toEqual({ format: { type: "json_schema", schema } });
    expect(tr("anthropic", "openai", an({ output_config: { format: { type: "json_schema", schema } } })).response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "response", schema, strict: true },
    });
    expect(tr("gemini", "openai", ge({ generationConfig: { responseMimeType: "application/json", responseJsonSchema: schema } })).response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "response", schema },
    });
  });
  it("maps JSON mode without a schema between OpenAI and Gemini", () => {
    expect(tr("openai", "gemini", oa({ response_format: { type: "json_object" } })).generationConfig).toEqual({ responseMimeType: "application/json" });
    expect(tr("gemini", "openai", ge({ generationConfig: { responseMimeType: "application/json" } })).response_format).toEqual({ type: "json_object" });
  });
});

describe("thinking and reasoning effort", () => {
  it("OpenAI reasoning_effort → Anthropic adaptive thinking with that effort, and Gemini thinking level", () => {
    expect(tr("openai", "anthropic", oa({ reasoning_effort: "medium" }))).toMatchObject({
      thinking: { type: "adaptive" },
      output_config: { effort: "medium" },
    });
    expect(tr("openai", "anthropic", oa({ reasoning_effort: "none" }))).toMatchObject({ thinking: { type: "disabled" } });
    expect(tr("openai", "anthropic", oa({ reasoning_effort: "none" }))).not.toHaveProperty("output_config");
    expect(tr("openai", "gemini", oa({ reasoning_effort: "low" })).generationConfig).toEqual({ thinkingConfig: { thinkingLevel: "LOW" } });
    expect(tr("openai", "gemini", oa({ reasoning_effort: "none" })).generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
  });
  it("Anthropic thinking → Gemini budgets, and to OpenAI only where an effort says how much", () => {
    expect(tr("anthropic", "gemini", an({ max_tokens: 16000, thinking: { type: "enabled", budget_tokens: 10000 } })).generationConfig).toEqual({
      maxOutputTokens: 16000,
      thinkingConfig: { thinkingBudget: 10000 },
    });
    expect(tr("anthropic", "gemini", an({ thinking: { type: "adaptive" } })).generationConfig).toEqual({
      maxOutputTokens: 100,
      thinkingConfig: { thinkingBudget: -1 },
    });
    expect(tr("anthropic", "gemini", an({ thinking: { type: "disabled" } })).generationConfig).toEqual({
      maxOutputTokens: 100,
      thinkingConfig: { thinkingBudget: 0 },
    });
    expect(tr("anthropic", "openai", an({ thinking: { type: "adaptive" }, output_config: { effort: "low" } })).reasoning_effort).toBe("low");
    // A budget or plain adaptive thinking leaves the OpenAI model at its own default effort (README).
    expect(tr("anthropic", "openai", an({ thinking: { type: "enabled", budget_tokens: 2048 } }))).not.toHaveProperty("reasoning_effort");
    expect(tr("anthropic", "openai", an({ thinking: { type: "adaptive", display: "summarized" } }))).not.toHaveProperty("reasoning_effort");
  });
  it("Gemini thinkingConfig → Anthropic thinking", () => {
    expect(tr("gemini", "anthropic", ge({ generationConfig: { maxOutputTokens: 9000, thinkingConfig: { thinkingBudget: 4096 } } }))).toMatchObject({
      max_tokens: 9000,
      thinking: { type: "enabled", budget_tokens: 4096 },
    });
    expect(tr("gemini", "anthropic", ge({ generationConfig: { thinkingConfig: { thinkingBudget: -1 } } }))).toMatchObject({ thinking: { type: "adaptive" } });
    expect(tr("gemini", "anthropic", ge({ generationConfig: { thinkingConfig: { thinkingLevel: "high", includeThoughts: true } } }))).toMatchObject({
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
    });
    expect(tr("gemini", "openai", ge({ generationConfig: { thinkingConfig: { thinkingLevel: "MINIMAL" } } })).reasoning_effort).toBe("minimal");
  });
});

describe("hints with no upstream meaning are accepted and not forwarded", () => {
  it("OpenAI user / safety_identifier / prompt_cache_key / store / metadata / image detail", () => {
    const body = oa({
      user: "u-1",
      safety_identifier: "s",
      prompt_cache_key: "k",
      store: true,
      metadata: { a: "b" },
      service_tier: "auto",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AA", detail: "low" } }] }],
    });
    expect(tr("openai", "anthropic", body)).toEqual({
      model: "m",
      max_tokens: DEFAULT_MAX_TOKENS,
      messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "AA" } }] }],
    });
  });
  it("Gemini safetySettings, labels, thoughtSignature, mediaResolution", () => {
    const body = {
      contents: [{ role: "user", parts: [{ text: "Hi" }] }],
      safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_NONE" }],
      labels: { team: "x" },
      generationConfig: { mediaResolution: "MEDIA_RESOLUTION_LOW" },
    };
    expect(tr("gemini", "openai", body)).toEqual({ model: "m", messages: [{ role: "user", content: "Hi" }] });
  });
  it("a typical Claude Code request reaches OpenAI and Gemini", () => {
    const cc = fixture("anthropic", "request-claude-code");
    const openai = tr("anthropic", "openai", cc);
    expect(JSON.stringify(openai)).not.toMatch(/cache_control|user_id|context_management|thinking|signature/);
    expect(openai).toMatchObject({ reasoning_effort: "high", stream: true, max_completion_tokens: 32000 });
    expect(tr("anthropic", "gemini", cc)).toMatchObject({ generationConfig: { thinkingConfig: { thinkingLevel: "HIGH" } } });
  });
  it("cache_control hints reach an Anthropic upstream when the source is Anthropic-shaped canonical", () => {
    const req = getAdapter("anthropic").parseRequest(fixture("anthropic", "request-claude-code"));
    const body = getAdapter("anthropic").buildRequest(req, "claude");
    expect(body.system).toEqual(fixture("anthropic", "request-claude-code").system);
    expect(JSON.stringify(body.messages)).toContain('"cache_control":{"type":"ephemeral"}');
  });
});

// ---------------------------------------------------------------------------------------------
// Round trips

/** Meaning of a request: ids renamed by order of appearance, hints and provenance left out. */
function meaning(req: CanonicalRequest, through: Protocol[]): unknown {
  const ids = new Map<string, string>();
  const id = (raw: string) => ids.get(raw) ?? (ids.set(raw, `id${ids.size}`), ids.get(raw)!);
  const strip = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== "cacheControl" && k !== "path"));
  const messages = req.messages.map((m) => {
    if (m.role === "tool")
      return { role: "tool", content: { ...strip(m.content), toolCallId: id(m.content.toolCallId), content: m.content.content.map(strip) } };
    if (m.role === "assistant")
      return {
        role: "assistant",
        content: m.content
          .filter((p) => p.type !== "thinking")
          .map((p) => (p.type === "tool_call" ? { ...strip(p), id: id(p.id), arguments: JSON.parse(p.arguments || "{}") } : strip(p))),
      };
    return { role: "user", content: m.content.map(strip) };
  });
  const out: Record<string, unknown> = { ...req, system: req.system.map(strip), messages, tools: req.tools?.map(strip) };
  delete out.paths;
  delete out.model;
  delete out.includeUsage;
  if (through.includes("anthropic") && out.maxTokens === DEFAULT_MAX_TOKENS) delete out.maxTokens;
  // Adaptive thinking with an effort is what an effort alone means.
  if (req.effort && req.effort !== "none" && req.thinking?.type === "enabled" && req.thinking.budgetTokens === undefined) delete out.thinking;
  if (req.effort === "none") delete out.thinking;
  return JSON.parse(JSON.stringify(out));
}

describe.each(PAIRS)("round trip %s ⇄ %s", (from, to) => {
  const a = getAdapter(from);
  const b = getAdapter(to);
  const names = fixtureNames(from, "request-");
  it.each(names)("%s keeps its meaning (or is refused on the way out)", (name) => {
    const original = a.parseRequest(fixture(from, name), { model: GEMINI_URL_MODEL });
    let there: Record<string, unknown>;
    try {
      there = b.buildRequest(original, "m");
    } catch {
      return; // refused: covered by the golden and refusal tests
    }
    const opts = { model: GEMINI_URL_MODEL, stream: original.stream };
    const back = a.parseRequest(a.buildRequest(b.parseRequest(there, opts), "m"), opts);
    // Compare with the source's own rebuild, so only what crossed the other protocol can differ.
    const same = a.parseRequest(a.buildRequest(original, "m"), opts);
    expect(meaning(back, [to])).toEqual(meaning(same, [to]));
  });

  it.each(["response-text", "response-tool"])("%s keeps its meaning", (name) => {
    const original = a.parseResponse(fixture(from, name));
    const back = a.parseResponse(a.buildResponse(b.parseResponse(b.buildResponse(original, CTX)), CTX));
    const norm = (r: CanonicalResponse) => ({
      content: r.content.filter((p) => p.type !== "thinking").map((p) => (p.type === "tool_call" ? { ...p, arguments: JSON.parse(p.arguments) } : p)),
      stopReason: r.stopReason,
      usage: r.usage,
    });
    expect(norm(back)).toEqual(norm(original));
  });
});
