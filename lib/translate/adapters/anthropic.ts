// Anthropic Messages ⇄ canonical.
// Reference: https://docs.anthropic.com/en/api/messages, .../build-with-claude/streaming, and the
// @anthropic-ai/sdk types (node_modules/@anthropic-ai/sdk/resources/messages/messages.d.ts).

import {
  TranslationError,
  ZERO_USAGE,
  type AssistantPart,
  type CacheControl,
  type CanonicalMessage,
  type CanonicalRequest,
  type CanonicalResponse,
  type CanonicalStreamEvent,
  type CanonicalTool,
  type ImagePart,
  type ProtocolAdapter,
  type ResponsePart,
  type StopReason,
  type StreamEncodeContext,
  type TextPart,
  type ToolChoice,
  type ToolResultPart,
  type Usage,
  type UserPart,
} from "../canonical";
import {
  UNTRANSLATABLE,
  asArray,
  asBoolean,
  asNumber,
  asObject,
  asString,
  cannotSend,
  count,
  isObject,
  join,
  mergeUsage,
  optNumber,
  parseArguments,
  parseEventJson,
  refuseUnknown,
  sse,
  type Json,
} from "../util";

/**
 * Anthropic requires max_tokens; when the client (OpenAI, Gemini) set no limit we send 4096, the
 * value Anthropic's own Messages examples and SDK READMEs use as the everyday default and within
 * every current Claude model's output limit.
 */
export const DEFAULT_MAX_TOKENS = 4096;

const REQUEST_FIELDS = [
  "model",
  "messages",
  "max_tokens",
  "system",
  "metadata",
  "stop_sequences",
  "temperature",
  "top_p",
  "top_k",
  "stream",
  "tools",
  "tool_choice",
  "thinking",
  "context_management",
  "output_config",
  "service_tier",
] as const;

const EFFORTS = ["low", "medium", "high", "xhigh", "max"] as const;

// ---------------------------------------------------------------------------------------------
// Requests

function cacheOf(block: Json): CacheControl | undefined {
  return isObject(block.cache_control) ? block.cache_control : undefined;
}

function withCache<T extends object>(part: T, cache: CacheControl | undefined): T {
  return cache ? { ...part, cacheControl: cache } : part;
}

function textBlock(b: Json, at: string): TextPart {
  refuseUnknown(b, ["type", "text", "cache_control", "citations"], at);
  if (b.citations !== undefined && b.citations !== null) throw new TranslationError(join(at, "citations"), UNTRANSLATABLE);
  return withCache({ type: "text", text: asString(b.text, join(at, "text")) } as TextPart, cacheOf(b));
}

function imageBlock(b: Json, at: string): ImagePart {
  refuseUnknown(b, ["type", "source", "cache_control"], at);
  const src = asObject(b.source, join(at, "source"));
  let part: ImagePart;
  if (src.type === "base64")
    part = {
      type: "image",
      source: { kind: "base64", mediaType: asString(src.media_type, join(at, "source.media_type")), data: asString(src.data, join(at, "source.data")) },
    };
  else if (src.type === "url") part = { type: "image", source: { kind: "url", url: asString(src.url, join(at, "source.url")) } };
  else throw new TranslationError(join(at, "source.type"), `${JSON.stringify(src.type)} ${UNTRANSLATABLE}`);
  return withCache(part, cacheOf(b));
}

function blocks(content: unknown, path: string): Json[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return asArray(content, path).map((b, j) => asObject(b, join(path, j)));
}

function parseMessages(raw: unknown): CanonicalMessage[] {
  const messages: CanonicalMessage[] = [];
  asArray(raw, "messages").forEach((value, i) => {
    const path = join("messages", i);
    const m = asObject(value, path);
    refuseUnknown(m, ["role", "content"], path);
    const contentPath = join(path, "content");
    if (m.role === "user") {
      // tool_result blocks become tool messages, in order, around the user's own content.
      let pending: UserPart[] = [];
      const flush = () => {
        if (pending.length) messages.push({ role: "user", content: pending, path });
        pending = [];
      };
      blocks(m.content, contentPath).forEach((b, j) => {
        const at = join(contentPath, j);
        if (b.type === "text") pending.push(textBlock(b, at));
        else if (b.type === "image") pending.push(imageBlock(b, at));
        else if (b.type === "tool_result") {
          flush();
          refuseUnknown(b, ["type", "tool_use_id", "content", "is_error", "cache_control"], at);
          const result: ToolResultPart = {
            type: "tool_result",
            toolCallId: asString(b.tool_use_id, join(at, "tool_use_id")),
            content:
              b.content === undefined
                ? []
                : blocks(b.content, join(at, "content")).map((c, k) => {
                    const cat = join(join(at, "content"), k);
                    if (c.type === "text") return textBlock(c, cat);
                    if (c.type === "image") return imageBlock(c, cat);
                    throw new TranslationError(join(cat, "type"), `${JSON.stringify(c.type)} ${UNTRANSLATABLE}`);
                  }),
          };
          if (b.is_error !== undefined) result.isError = asBoolean(b.is_error, join(at, "is_error"));
          messages.push({ role: "tool", content: withCache(result, cacheOf(b)), path: at });
        } else throw new TranslationError(join(at, "type"), `${JSON.stringify(b.type)} ${UNTRANSLATABLE}`);
      });
      flush();
    } else if (m.role === "assistant") {
      const content: AssistantPart[] = blocks(m.content, contentPath).map((b, j): AssistantPart => {
        const at = join(contentPath, j);
        if (b.type === "text") return textBlock(b, at);
        if (b.type === "tool_use") {
          refuseUnknown(b, ["type", "id", "name", "input", "cache_control"], at);
          return withCache(
            {
              type: "tool_call",
              id: asString(b.id, join(at, "id")),
              name: asString(b.name, join(at, "name")),
              arguments: JSON.stringify(b.input === undefined ? {} : asObject(b.input, join(at, "input"))),
            },
            cacheOf(b),
          );
        }
        if (b.type === "thinking")
          return { type: "thinking", text: asString(b.thinking, join(at, "thinking")), signature: typeof b.signature === "string" ? b.signature : undefined };
        if (b.type === "redacted_thinking") return { type: "thinking", text: "", signature: asString(b.data, join(at, "data")), redacted: true };
        throw new TranslationError(join(at, "type"), `${JSON.stringify(b.type)} ${UNTRANSLATABLE}`);
      });
      messages.push({ role: "assistant", content, path });
    } else {
      throw new TranslationError(join(path, "role"), `${JSON.stringify(m.role)} ${UNTRANSLATABLE}`);
    }
  });
  return messages;
}

function parseTools(raw: unknown): CanonicalTool[] {
  return asArray(raw, "tools").map((value, i) => {
    const path = join("tools", i);
    const t = asObject(value, path);
    if (t.type !== undefined && t.type !== null && t.type !== "custom") {
      throw new TranslationError(join(path, "type"), `the server tool ${JSON.stringify(t.type)} ${UNTRANSLATABLE}`);
    }
    refuseUnknown(t, ["type", "name", "description", "input_schema", "cache_control", "strict"], path);
    const tool: CanonicalTool = { name: asString(t.name, join(path, "name")), parameters: asObject(t.input_schema, join(path, "input_schema")), path };
    if (t.description !== undefined) tool.description = asString(t.description, join(path, "description"));
    if (t.strict !== undefined) tool.strict = asBoolean(t.strict, join(path, "strict"));
    return withCache(tool, cacheOf(t));
  });
}

function parseToolChoice(raw: unknown, req: CanonicalRequest): ToolChoice {
  const c = asObject(raw, "tool_choice");
  refuseUnknown(c, ["type", "name", "disable_parallel_tool_use"], "tool_choice");
  if (c.disable_parallel_tool_use !== undefined) {
    req.parallelToolCalls = !asBoolean(c.disable_parallel_tool_use, "tool_choice.disable_parallel_tool_use");
    req.paths.parallelToolCalls = "tool_choice.disable_parallel_tool_use";
  }
  if (c.type === "auto" || c.type === "none") return { type: c.type };
  if (c.type === "any") return { type: "required" };
  if (c.type === "tool") return { type: "tool", name: asString(c.name, "tool_choice.name") };
  throw new TranslationError("tool_choice.type", `${JSON.stringify(c.type)} ${UNTRANSLATABLE}`);
}

export function parseAnthropicRequest(body: unknown, opts: { model?: string; stream?: boolean } = {}): CanonicalRequest {
  const b = asObject(body, "body");
  refuseUnknown(b, REQUEST_FIELDS, "");
  const req: CanonicalRequest = {
    model: opts.model ?? asString(b.model, "model"),
    system: [],
    messages: parseMessages(b.messages),
    stream: opts.stream ?? b.stream === true,
    paths: {},
  };
  const paths = req.paths;
  if (typeof b.system === "string") req.system = b.system === "" ? [] : [{ type: "text", text: b.system }];
  else if (b.system !== undefined && b.system !== null) {
    req.system = asArray(b.system, "system").map((raw, i) => {
      const block = asObject(raw, join("system", i));
      if (block.type !== "text") throw new TranslationError(join(join("system", i), "type"), `${JSON.stringify(block.type)} ${UNTRANSLATABLE}`);
      return textBlock(block, join("system", i));
    });
  }
  if (b.tools !== undefined && b.tools !== null) req.tools = parseTools(b.tools);
  if (b.tool_choice !== undefined && b.tool_choice !== null) req.toolChoice = parseToolChoice(b.tool_choice, req);
  const max = optNumber(b.max_tokens, "max_tokens");
  if (max !== undefined) {
    req.maxTokens = max;
    paths.maxTokens = "max_tokens";
  }
  for (const [key, field] of [
    ["temperature", "temperature"],
    ["topP", "top_p"],
    ["topK", "top_k"],
  ] as const) {
    const v = optNumber(b[field], field);
    if (v !== undefined) {
      req[key] = v;
      paths[key] = field;
    }
  }
  if (b.stop_sequences !== undefined && b.stop_sequences !== null) {
    req.stop = asArray(b.stop_sequences, "stop_sequences").map((s, i) => asString(s, join("stop_sequences", i)));
    paths.stop = "stop_sequences";
  }
  if (b.metadata !== undefined && b.metadata !== null) {
    // user_id identifies the end user to Anthropic's abuse monitoring: a hint with no meaning
    // for another provider (README). Anything else in metadata is refused.
    refuseUnknown(asObject(b.metadata, "metadata"), ["user_id"], "metadata");
  }
  if (b.service_tier !== undefined && b.service_tier !== null && b.service_tier !== "auto") {
    throw new TranslationError("service_tier", `${JSON.stringify(b.service_tier)} ${UNTRANSLATABLE}`);
  }
  if (b.context_management !== undefined && b.context_management !== null) {
    // Only edits that clear old thinking blocks are accepted: other providers never receive
    // thinking blocks, so clearing them changes nothing. Edits that remove tool results would
    // change what the model sees and are refused.
    const cm = asObject(b.context_management, "context_management");
    refuseUnknown(cm, ["edits"], "context_management");
    asArray(cm.edits ?? [], "context_management.edits").forEach((raw, i) => {
      const edit = asObject(raw, `context_management.edits[${i}]`);
      if (typeof edit.type !== "string" || !edit.type.startsWith("clear_thinking_")) {
        throw new TranslationError(`context_management.edits[${i}].type`, `${JSON.stringify(edit.type)} ${UNTRANSLATABLE}`);
      }
    });
  }
  if (b.thinking !== undefined && b.thinking !== null) {
    const t = asObject(b.thinking, "thinking");
    refuseUnknown(t, ["type", "budget_tokens", "display"], "thinking");
    if (t.type === "disabled") req.thinking = { type: "disabled" };
    else if (t.type === "adaptive") req.thinking = { type: "enabled" };
    else if (t.type === "enabled") req.thinking = { type: "enabled", budgetTokens: asNumber(t.budget_tokens, "thinking.budget_tokens") };
    else throw new TranslationError("thinking.type", `${JSON.stringify(t.type)} ${UNTRANSLATABLE}`);
    paths.thinking = "thinking";
  }
  if (b.output_config !== undefined && b.output_config !== null) {
    const oc = asObject(b.output_config, "output_config");
    refuseUnknown(oc, ["effort", "format"], "output_config");
    if (oc.effort !== undefined && oc.effort !== null) {
      if (!EFFORTS.includes(oc.effort as (typeof EFFORTS)[number]))
        throw new TranslationError("output_config.effort", `${JSON.stringify(oc.effort)} is not a known effort`);
      req.effort = oc.effort as (typeof EFFORTS)[number];
      paths.effort = "output_config.effort";
    }
    if (oc.format !== undefined && oc.format !== null) {
      const f = asObject(oc.format, "output_config.format");
      refuseUnknown(f, ["type", "schema"], "output_config.format");
      if (f.type !== "json_schema") throw new TranslationError("output_config.format.type", `${JSON.stringify(f.type)} ${UNTRANSLATABLE}`);
      // Anthropic structured outputs always constrain decoding to the schema, i.e. strict.
      req.responseFormat = { type: "json_schema", schema: asObject(f.schema, "output_config.format.schema"), strict: true };
      paths.responseFormat = "output_config.format";
    }
  }
  return req;
}

const cacheField = (cache: CacheControl | undefined): Json => (cache ? { cache_control: cache } : {});

function contentBlock(p: TextPart | ImagePart): Json {
  if (p.type === "text") return { type: "text", text: p.text, ...cacheField(p.cacheControl) };
  const source = p.source.kind === "url" ? { type: "url", url: p.source.url } : { type: "base64", media_type: p.source.mediaType, data: p.source.data };
  return { type: "image", source, ...cacheField(p.cacheControl) };
}

/** A lone uncached text block is written as a plain string, the documented short form. */
function userContent(parts: Array<TextPart | ImagePart>): string | Json[] {
  const only = parts[0];
  if (parts.length === 1 && only?.type === "text" && !only.cacheControl) return only.text;
  return parts.map(contentBlock);
}

export function buildAnthropicRequest(req: CanonicalRequest, upstreamModel: string): Record<string, unknown> {
  const messages: Json[] = [];
  const last = (): Json | undefined => messages[messages.length - 1];
  for (const m of req.messages) {
    if (m.role === "user") {
      const prev = last();
      // Tool results travel in a user turn; the user's own words that follow join the same turn.
      if (prev?.role === "user" && Array.isArray(prev.content) && prev.toolTurn === true) (prev.content as Json[]).push(...m.content.map(contentBlock));
      else messages.push({ role: "user", content: userContent(m.content) });
    } else if (m.role === "assistant") {
      const content: Json[] = [];
      let calls = 0;
      m.content.forEach((p) => {
        if (p.type === "text") content.push({ type: "text", text: p.text, ...cacheField(p.cacheControl) });
        else if (p.type === "tool_call")
          content.push({
            type: "tool_use",
            id: p.id,
            name: p.name,
            input: parseArguments(p.arguments, `${m.path}.tool_calls[${calls++}].function.arguments`),
            ...cacheField(p.cacheControl),
          });
        else if (p.redacted) content.push({ type: "redacted_thinking", data: p.signature ?? "" });
        else if (p.signature) content.push({ type: "thinking", thinking: p.text, signature: p.signature });
        // Thinking without an Anthropic signature (another provider's reasoning) cannot be
        // replayed to Claude, which verifies signatures; the API ignores earlier turns' thinking anyway.
      });
      const only = content[0];
      messages.push({ role: "assistant", content: content.length === 1 && only?.type === "text" && !only.cache_control ? only.text : content });
    } else {
      const r = m.content;
      const block: Json = { type: "tool_result", tool_use_id: r.toolCallId };
      const single = r.content[0];
      if (r.content.length === 1 && single?.type === "text" && !single.cacheControl) block.content = single.text;
      else if (r.content.length) block.content = r.content.map(contentBlock);
      if (r.isError) block.is_error = true;
      Object.assign(block, cacheField(r.cacheControl));
      const prev = last();
      if (prev?.role === "user" && prev.toolTurn === true) (prev.content as Json[]).push(block);
      else messages.push({ role: "user", content: [block], toolTurn: true });
    }
  }
  for (const msg of messages) delete msg.toolTurn;

  const body: Record<string, unknown> = { model: upstreamModel, max_tokens: req.maxTokens ?? DEFAULT_MAX_TOKENS };
  if (req.system.length) {
    const only = req.system[0];
    body.system =
      req.system.length === 1 && only && !only.cacheControl
        ? only.text
        : req.system.map((p) => ({ type: "text", text: p.text, ...cacheField(p.cacheControl) }));
  }
  body.messages = messages;
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => {
      const tool: Json = { name: t.name };
      if (t.description !== undefined) tool.description = t.description;
      tool.input_schema = t.parameters;
      if (t.strict) tool.strict = true;
      return { ...tool, ...cacheField(t.cacheControl) };
    });
  }
  if (req.toolChoice || req.parallelToolCalls === false) {
    const c = req.toolChoice ?? { type: "auto" };
    const choice: Json = c.type === "required" ? { type: "any" } : c.type === "tool" ? { type: "tool", name: c.name } : { type: c.type };
    if (req.parallelToolCalls === false) {
      if (c.type === "none") throw cannotSend(req, "parallelToolCalls", "anthropic", "Anthropic takes it only with tool use allowed");
      choice.disable_parallel_tool_use = true;
    }
    body.tool_choice = choice;
  }
  if (req.temperature !== undefined) {
    if (req.temperature > 1) throw cannotSend(req, "temperature", "anthropic", `${req.temperature} is above Anthropic's maximum of 1`);
    body.temperature = req.temperature;
  }
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.topK !== undefined) body.top_k = req.topK;
  if (req.stop?.length) body.stop_sequences = req.stop;
  if (req.presencePenalty !== undefined && req.presencePenalty !== 0)
    throw cannotSend(req, "presencePenalty", "anthropic", "Anthropic has no presence penalty");
  if (req.frequencyPenalty !== undefined && req.frequencyPenalty !== 0)
    throw cannotSend(req, "frequencyPenalty", "anthropic", "Anthropic has no frequency penalty");
  if (req.seed !== undefined) throw cannotSend(req, "seed", "anthropic", "Anthropic has no seeded sampling");
  const outputConfig: Json = {};
  if (req.responseFormat && req.responseFormat.type !== "text") {
    const f = req.responseFormat;
    if (f.type === "json_object") throw cannotSend(req, "responseFormat", "anthropic", "Anthropic has no schema-less JSON mode; send a json_schema");
    if (f.description !== undefined)
      throw new TranslationError(
        `${req.paths.responseFormat ?? "responseFormat"}.json_schema.description`,
        "cannot be sent to an Anthropic model (its output format takes a schema only)",
      );
    if (f.strict === false)
      throw new TranslationError(
        `${req.paths.responseFormat ?? "responseFormat"}.json_schema.strict`,
        "false cannot be sent to an Anthropic model: its structured outputs are always strict",
      );
    outputConfig.format = { type: "json_schema", schema: f.schema };
  }
  const thinking = req.thinking ?? (req.effort !== undefined && req.effort !== "none" ? { type: "enabled" as const } : undefined);
  if (thinking?.type === "disabled") body.thinking = { type: "disabled" };
  else if (thinking?.type === "enabled")
    body.thinking = thinking.budgetTokens !== undefined ? { type: "enabled", budget_tokens: thinking.budgetTokens } : { type: "adaptive" };
  if (req.effort !== undefined && req.effort !== "none") {
    if (req.effort === "minimal") throw cannotSend(req, "effort", "anthropic", 'Anthropic\'s lowest effort is "low"');
    outputConfig.effort = req.effort;
  }
  if (Object.keys(outputConfig).length) body.output_config = outputConfig;
  if (req.stream) body.stream = true;
  return body;
}

// ---------------------------------------------------------------------------------------------
// Responses

const STOP_IN: Record<string, StopReason> = {
  end_turn: "end_turn",
  max_tokens: "max_tokens",
  stop_sequence: "stop_sequence",
  tool_use: "tool_use",
  refusal: "refusal",
  model_context_window_exceeded: "max_tokens",
  pause_turn: "other",
};
const STOP_OUT: Record<StopReason, string> = {
  end_turn: "end_turn",
  max_tokens: "max_tokens",
  stop_sequence: "stop_sequence",
  tool_use: "tool_use",
  content_filter: "refusal",
  refusal: "refusal",
  other: "end_turn",
};

export function anthropicUsage(u: unknown): Usage {
  if (!isObject(u)) return { ...ZERO_USAGE };
  const usage: Usage = {
    inputTokens: count(u.input_tokens),
    outputTokens: count(u.output_tokens),
    cacheReadTokens: count(u.cache_read_input_tokens),
    cacheWriteTokens: count(u.cache_creation_input_tokens),
  };
  if (isObject(u.output_tokens_details) && count(u.output_tokens_details.thinking_tokens) > 0)
    usage.reasoningTokens = count(u.output_tokens_details.thinking_tokens);
  return usage;
}

/** Only the fields an event actually carries, so a partial report never zeroes a known count. */
function partialUsage(u: Json): Partial<Usage> {
  const out: Partial<Usage> = {};
  if ("input_tokens" in u && u.input_tokens !== null) out.inputTokens = count(u.input_tokens);
  if ("output_tokens" in u && u.output_tokens !== null) out.outputTokens = count(u.output_tokens);
  if ("cache_read_input_tokens" in u && u.cache_read_input_tokens !== null) out.cacheReadTokens = count(u.cache_read_input_tokens);
  if ("cache_creation_input_tokens" in u && u.cache_creation_input_tokens !== null) out.cacheWriteTokens = count(u.cache_creation_input_tokens);
  return out;
}

function usageBody(u: Usage): Json {
  const body: Json = {
    input_tokens: u.inputTokens,
    cache_creation_input_tokens: u.cacheWriteTokens,
    cache_read_input_tokens: u.cacheReadTokens,
    output_tokens: u.outputTokens,
  };
  if (u.reasoningTokens) body.output_tokens_details = { thinking_tokens: u.reasoningTokens };
  return body;
}

export function parseAnthropicResponse(body: unknown): CanonicalResponse {
  const b = asObject(body, "response");
  const content: ResponsePart[] = asArray(b.content ?? [], "response.content").flatMap((raw, i): ResponsePart[] => {
    const block = asObject(raw, `response.content[${i}]`);
    if (block.type === "text") return [{ type: "text", text: String(block.text ?? "") }];
    if (block.type === "tool_use")
      return [{ type: "tool_call", id: String(block.id ?? ""), name: String(block.name ?? ""), arguments: JSON.stringify(block.input ?? {}) }];
    if (block.type === "thinking") return [{ type: "thinking", text: String(block.thinking ?? ""), signature: String(block.signature ?? "") }];
    if (block.type === "redacted_thinking") return [{ type: "thinking", text: "", signature: String(block.data ?? ""), redacted: true }];
    throw new TranslationError(`response.content[${i}].type`, `${JSON.stringify(block.type)} ${UNTRANSLATABLE}`);
  });
  return {
    id: String(b.id ?? ""),
    model: String(b.model ?? ""),
    content,
    stopReason: STOP_IN[String(b.stop_reason)] ?? "other",
    stopSequence: typeof b.stop_sequence === "string" ? b.stop_sequence : null,
    usage: anthropicUsage(b.usage),
  };
}

function responseBlock(p: ResponsePart, i: number): Json {
  if (p.type === "text") return { type: "text", text: p.text };
  if (p.type === "tool_call") return { type: "tool_use", id: p.id, name: p.name, input: parseArguments(p.arguments, `content[${i}].arguments`) };
  if (p.redacted) return { type: "redacted_thinking", data: p.signature ?? "" };
  return { type: "thinking", thinking: p.text, signature: p.signature ?? "" };
}

export function buildAnthropicResponse(res: CanonicalResponse, ctx: { model: string; id: string }): Record<string, unknown> {
  return {
    id: ctx.id,
    type: "message",
    role: "assistant",
    model: ctx.model,
    content: res.content.map(responseBlock),
    stop_reason: STOP_OUT[res.stopReason],
    stop_sequence: res.stopSequence ?? null,
    usage: usageBody(res.usage),
  };
}

// ---------------------------------------------------------------------------------------------
// Streams

function createDecoder() {
  const kinds = new Map<number, string>();
  return {
    push(ev: { event?: string; data: string }): CanonicalStreamEvent[] {
      const json = parseEventJson(ev.data);
      if (!json) return [];
      const type = ev.event ?? json.type;
      const index = typeof json.index === "number" ? json.index : 0;
      switch (type) {
        case "message_start": {
          const msg = isObject(json.message) ? json.message : {};
          const usage = isObject(msg.usage) ? partialUsage(msg.usage) : {};
          delete usage.outputTokens; // a running count here; message_delta has the total
          return [{ type: "message_start", id: String(msg.id ?? ""), model: String(msg.model ?? ""), usage }];
        }
        case "content_block_start": {
          const block = isObject(json.content_block) ? json.content_block : {};
          kinds.set(index, String(block.type));
          if (block.type === "text") return typeof block.text === "string" && block.text !== "" ? [{ type: "text_delta", index, text: block.text }] : [];
          if (block.type === "tool_use") {
            const out: CanonicalStreamEvent[] = [{ type: "tool_call_start", index, id: String(block.id ?? ""), name: String(block.name ?? "") }];
            if (isObject(block.input) && Object.keys(block.input).length)
              out.push({ type: "tool_call_delta", index, argumentsDelta: JSON.stringify(block.input) });
            return out;
          }
          if (block.type === "thinking")
            return typeof block.thinking === "string" && block.thinking !== "" ? [{ type: "thinking_delta", index, text: block.thinking }] : [];
          return [];
        }
        case "content_block_delta": {
          const d = isObject(json.delta) ? json.delta : {};
          if (d.type === "text_delta") return [{ type: "text_delta", index, text: String(d.text ?? "") }];
          if (d.type === "input_json_delta") return d.partial_json ? [{ type: "tool_call_delta", index, argumentsDelta: String(d.partial_json) }] : [];
          if (d.type === "thinking_delta") return [{ type: "thinking_delta", index, text: String(d.thinking ?? "") }];
          if (d.type === "signature_delta") return [{ type: "thinking_signature", index, signature: String(d.signature ?? "") }];
          return [];
        }
        case "content_block_stop":
          return kinds.has(index) ? [{ type: "block_stop", index }] : [];
        case "message_delta": {
          const d = isObject(json.delta) ? json.delta : {};
          const out: CanonicalStreamEvent = { type: "message_delta" };
          if (typeof d.stop_reason === "string") out.stopReason = STOP_IN[d.stop_reason] ?? "other";
          if ("stop_sequence" in d) out.stopSequence = typeof d.stop_sequence === "string" ? d.stop_sequence : null;
          if (isObject(json.usage)) out.usage = partialUsage(json.usage);
          return [out];
        }
        case "message_stop":
          return [{ type: "message_stop" }];
        case "error": {
          const err = isObject(json.error) ? json.error : {};
          return [{ type: "error", errorType: String(err.type ?? "api_error"), message: String(err.message ?? "") }];
        }
        default:
          return []; // ping
      }
    },
    end: (): CanonicalStreamEvent[] => [],
  };
}

function createEncoder(ctx: StreamEncodeContext) {
  let usage: Usage = { ...ZERO_USAGE };
  let stopReason: StopReason = "end_turn";
  let stopSequence: string | null = null;
  let started = false;
  let pinged = false;
  let done = false;
  let open: number | null = null; // client index of the open block
  let nextIndex = 0;
  const indexOf = new Map<number, number>(); // canonical index → client index
  const ev = (name: string, data: Json): string => sse({ type: name, ...data }, { event: name });

  const start = (): string => {
    if (started) return "";
    started = true;
    const message = {
      id: ctx.id,
      type: "message",
      role: "assistant",
      model: ctx.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usageBody(usage),
    };
    return ev("message_start", { message });
  };
  const closeOpen = (): string => {
    if (open === null) return "";
    const out = ev("content_block_stop", { index: open });
    open = null;
    return out;
  };
  /** The client index for a canonical block, opening it (and closing the previous one) if new. */
  const block = (canonical: number, contentBlock: Json): [string, number] => {
    const known = indexOf.get(canonical);
    if (known !== undefined) return ["", known];
    const index = nextIndex++;
    indexOf.set(canonical, index);
    let out = start() + closeOpen() + ev("content_block_start", { index, content_block: contentBlock });
    open = index;
    if (!pinged) {
      pinged = true;
      out += ev("ping", {});
    }
    return [out, index];
  };

  return {
    push(e: CanonicalStreamEvent): string {
      if (done) return "";
      switch (e.type) {
        case "message_start":
          usage = mergeUsage(usage, e.usage);
          return start();
        case "text_delta": {
          const [prefix, index] = block(e.index, { type: "text", text: "" });
          return prefix + ev("content_block_delta", { index, delta: { type: "text_delta", text: e.text } });
        }
        case "thinking_delta": {
          const [prefix, index] = block(e.index, { type: "thinking", thinking: "", signature: "" });
          return prefix + ev("content_block_delta", { index, delta: { type: "thinking_delta", thinking: e.text } });
        }
        case "thinking_signature": {
          const [prefix, index] = block(e.index, { type: "thinking", thinking: "", signature: "" });
          return prefix + ev("content_block_delta", { index, delta: { type: "signature_delta", signature: e.signature } });
        }
        case "tool_call_start":
          return block(e.index, { type: "tool_use", id: e.id, name: e.name, input: {} })[0];
        case "tool_call_delta": {
          const index = indexOf.get(e.index);
          return index === undefined ? "" : ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: e.argumentsDelta } });
        }
        case "block_stop":
          return open !== null && indexOf.get(e.index) === open ? closeOpen() : "";
        case "message_delta":
          usage = mergeUsage(usage, e.usage);
          if (e.stopReason) stopReason = e.stopReason;
          if (e.stopSequence !== undefined) stopSequence = e.stopSequence;
          return "";
        case "message_stop":
          done = true;
          return (
            start() +
            closeOpen() +
            ev("message_delta", { delta: { stop_reason: STOP_OUT[stopReason], stop_sequence: stopSequence }, usage: usageBody(usage) }) +
            ev("message_stop", {})
          );
        case "error":
          done = true;
          return ev("error", { error: { type: e.errorType, message: e.message } });
      }
    },
    end: (): string => "",
  };
}

export const anthropicAdapter: ProtocolAdapter = {
  protocol: "anthropic",
  parseRequest: parseAnthropicRequest,
  buildRequest: buildAnthropicRequest,
  parseResponse: parseAnthropicResponse,
  buildResponse: buildAnthropicResponse,
  createStreamDecoder: createDecoder,
  createStreamEncoder: createEncoder,
};
