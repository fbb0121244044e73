// What cannot be carried across is refused with a TranslationError naming the client's field,
// never dropped silently. Each case: source protocol, body, target, the field named.

import { describe, expect, it } from "vitest";
import { translateRequest, TranslationError, type Protocol } from "./index";
import { fixture, GEMINI_URL_MODEL } from "./test-helpers";

const user = (content: unknown) => ({ role: "user", content });
const oa = (extra: Record<string, unknown>, messages: unknown[] = [user("Hi")]) => ({ model: "gpt-4o", messages, ...extra });
const an = (extra: Record<string, unknown>, messages: unknown[] = [user("Hi")]) => ({ model: "claude", max_tokens: 100, messages, ...extra });
const ge = (extra: Record<string, unknown>, contents: unknown[] = [{ role: "user", parts: [{ text: "Hi" }] }]) => ({ contents, ...extra });

const CASES: [string, Protocol, unknown, Protocol, string][] = [
  // OpenAI clients
  [
    "audio input",
    "openai",
    oa({}, [user([{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }])]),
    "anthropic",
    "messages[0].content[0].type",
  ],
  ["file input", "openai", oa({}, [user([{ type: "file", file: { file_id: "file-1" } }])]), "gemini", "messages[0].content[0].type"],
  ["several choices", "openai", oa({ n: 2 }), "anthropic", "n"],
  ["logprobs", "openai", oa({ logprobs: true }), "gemini", "logprobs"],
  ["an unknown field", "openai", oa({ web_search_options: {} }), "anthropic", "web_search_options"],
  ["audio output", "openai", oa({ modalities: ["text", "audio"] }), "gemini", "modalities"],
  ["a participant name", "openai", oa({}, [{ role: "user", content: "Hi", name: "bob" }]), "anthropic", "messages[0].name"],
  ["a system message mid-conversation", "openai", oa({}, [user("Hi"), { role: "system", content: "Be brief" }]), "anthropic", "messages[1].role"],
  ["a custom tool", "openai", oa({ tools: [{ type: "custom", custom: { name: "x" } }] }), "anthropic", "tools[0].type"],
  [
    "allowed_tools tool choice",
    "openai",
    oa({ tool_choice: { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [] } } }),
    "anthropic",
    "tool_choice.type",
  ],
  ["json_object mode to Anthropic", "openai", oa({ response_format: { type: "json_object" } }), "anthropic", "response_format"],
  [
    "a schema description to Anthropic",
    "openai",
    oa({ response_format: { type: "json_schema", json_schema: { name: "x", description: "d", schema: { type: "object" } } } }),
    "anthropic",
    "response_format.json_schema.description",
  ],
  [
    "non-strict json_schema to Anthropic",
    "openai",
    oa({ response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" }, strict: false } } }),
    "anthropic",
    "response_format.json_schema.strict",
  ],
  ["a seed to Anthropic", "openai", oa({ seed: 7 }), "anthropic", "seed"],
  ["a presence penalty to Anthropic", "openai", oa({ presence_penalty: 0.5 }), "anthropic", "presence_penalty"],
  ["a frequency penalty to Anthropic", "openai", oa({ frequency_penalty: 0.5 }), "anthropic", "frequency_penalty"],
  ["temperature above Anthropic's range", "openai", oa({ temperature: 1.5 }), "anthropic", "temperature"],
  ["minimal effort to Anthropic", "openai", oa({ reasoning_effort: "minimal" }), "anthropic", "reasoning_effort"],
  ["xhigh effort to Gemini", "openai", oa({ reasoning_effort: "xhigh" }), "gemini", "reasoning_effort"],
  ["no parallel calls to Gemini", "openai", oa({ parallel_tool_calls: false }), "gemini", "parallel_tool_calls"],
  ["strict tools to Gemini", "openai", fixture("openai", "request-tool-result"), "gemini", "tools[0].function.strict"],
  ["an image URL to Gemini", "openai", fixture("openai", "request-image"), "gemini", "messages[0].content[1]"],
  ["a priority service tier", "openai", oa({ service_tier: "priority" }), "anthropic", "service_tier"],
  // Anthropic clients
  ["a server tool", "anthropic", an({ tools: [{ type: "web_search_20250305", name: "web_search" }] }), "openai", "tools[0].type"],
  [
    "a document block",
    "anthropic",
    an({}, [user([{ type: "document", source: { type: "base64", media_type: "application/pdf", data: "AA" } }])]),
    "openai",
    "messages[0].content[0].type",
  ],
  [
    "citations on a text block",
    "anthropic",
    an({}, [user([{ type: "text", text: "x", citations: [{ type: "char_location" }] }])]),
    "gemini",
    "messages[0].content[0].citations",
  ],
  ["top_k to OpenAI", "anthropic", an({ top_k: 5 }), "openai", "top_k"],
  [
    "an edit that clears tool results",
    "anthropic",
    an({ context_management: { edits: [{ type: "clear_tool_uses_20250919" }] } }),
    "openai",
    "context_management.edits[0].type",
  ],
  ["a task budget", "anthropic", an({ output_config: { task_budget: { type: "tokens", total: 1000 } } }), "openai", "output_config.task_budget"],
  ["MCP servers", "anthropic", an({ mcp_servers: [] }), "openai", "mcp_servers"],
  ["metadata other than user_id", "anthropic", an({ metadata: { user_id: "u", team: "x" } }), "openai", "metadata.team"],
  [
    "an image in a tool result to OpenAI",
    "anthropic",
    an({}, [
      user("Look"),
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "shot", input: {} }] },
      user([{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: "AA" } }] }]),
    ]),
    "openai",
    "messages[2].content[0].content[0]",
  ],
  ["a standard-only service tier", "anthropic", an({ service_tier: "standard_only" }), "gemini", "service_tier"],
  ["max effort to Gemini", "anthropic", an({ thinking: { type: "adaptive" }, output_config: { effort: "max" } }), "gemini", "output_config.effort"],
  ["an image URL to Gemini", "anthropic", fixture("anthropic", "request-image-url"), "gemini", "messages[0].content[0]"],
  // Gemini clients
  ["Google Search grounding", "gemini", ge({ tools: [{ googleSearch: {} }] }), "openai", "tools[0].googleSearch"],
  ["code execution", "gemini", ge({ tools: [{ code_execution: {} }] }), "anthropic", "tools[0].code_execution"],
  [
    "a file reference",
    "gemini",
    ge({}, [{ role: "user", parts: [{ fileData: { mimeType: "image/png", fileUri: "https://x" } }] }]),
    "openai",
    "contents[0].parts[0].fileData",
  ],
  [
    "inline audio",
    "gemini",
    ge({}, [{ role: "user", parts: [{ inlineData: { mimeType: "audio/wav", data: "AA" } }] }]),
    "anthropic",
    "contents[0].parts[0].inlineData.mimeType",
  ],
  ["several candidates", "gemini", ge({ generationConfig: { candidateCount: 2 } }), "openai", "generationConfig.candidateCount"],
  ["an enum MIME type", "gemini", ge({ generationConfig: { responseMimeType: "text/x.enum" } }), "openai", "generationConfig.responseMimeType"],
  ["cached content", "gemini", ge({ cachedContent: "cachedContents/abc" }), "anthropic", "cachedContent"],
  [
    "a function response with no call",
    "gemini",
    ge({}, [{ role: "user", parts: [{ functionResponse: { name: "f", response: {} } }] }]),
    "openai",
    "contents[0].parts[0].functionResponse.name",
  ],
  [
    "thoughts to OpenAI",
    "gemini",
    ge({ generationConfig: { thinkingConfig: { includeThoughts: true } } }),
    "openai",
    "generationConfig.thinkingConfig.includeThoughts",
  ],
  [
    "several allowed functions",
    "gemini",
    ge({ toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["a", "b"] } } }),
    "anthropic",
    "toolConfig.functionCallingConfig.allowedFunctionNames",
  ],
  [
    "JSON mode without schema to Anthropic",
    "gemini",
    ge({ generationConfig: { responseMimeType: "application/json" } }),
    "anthropic",
    "generationConfig.responseMimeType",
  ],
  ["top_k to OpenAI", "gemini", ge({ generation_config: { top_k: 40 } }), "openai", "generation_config.top_k"],
  ["a seed to Anthropic", "gemini", ge({ generationConfig: { seed: 1 } }), "anthropic", "generationConfig.seed"],
  [
    "tool-call arguments that are not JSON",
    "openai",
    oa({}, [user("Hi"), { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{oops" } }] }]),
    "anthropic",
    "messages[1].tool_calls[0].function.arguments",
  ],
];

describe("refusals", () => {
  it.each(CASES)("%s (%s → %s)", (_name, from, body, to, field) => {
    let error: unknown;
    try {
      translateRequest(from, to, body, { model: from === "gemini" ? GEMINI_URL_MODEL : undefined, upstreamModel: "m" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TranslationError);
    expect((error as TranslationError).field).toBe(field);
    expect((error as TranslationError).message.startsWith(`"${field}" `)).toBe(true);
  });

  it("names the field and the reason in the message", () => {
    expect(() => translateRequest("openai", "anthropic", oa({}, [user([{ type: "input_audio", input_audio: {} }])]), { upstreamModel: "m" })).toThrow(
      `"messages[0].content[0].type" "input_audio" cannot be translated to another provider's protocol`,
    );
  });

  it("rejects malformed bodies with the field's path", () => {
    expect(() => translateRequest("openai", "anthropic", { model: "x", messages: "hi" }, { upstreamModel: "m" })).toThrow('"messages" must be an array');
    expect(() =>
      translateRequest("anthropic", "openai", { model: "x", messages: [{ role: "user", content: [{ type: "text" }] }] }, { upstreamModel: "m" }),
    ).toThrow('"messages[0].content[0].text" must be a string');
    expect(() => translateRequest("gemini", "openai", { contents: [] }, { upstreamModel: "m" })).toThrow('"model" must be given');
  });
});
