// OpenAI Chat Completions ⇄ canonical.
// Reference: https://platform.openai.com/docs/api-reference/chat (request, chat.completion,
// chat.completion.chunk) and the openai-node types (node_modules/openai/resources/chat).

import {
  TranslationError,
  ZERO_USAGE,
  type AssistantPart,
  type CanonicalMessage,
  type CanonicalRequest,
  type CanonicalResponse,
  type CanonicalStreamEvent,
  type CanonicalTool,
  type Effort,
  type ImagePart,
  type ProtocolAdapter,
  type ResponseFormat,
  type ResponsePart,
  type StopReason,
  type StreamEncodeContext,
  type TextPart,
  type ToolChoice,
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
  dataUrl,
  imageFromUrl,
  isObject,
  join,
  mergeUsage,
  optNumber,
  parseEventJson,
  refuseUnknown,
  sse,
  totalInput,
  type Json,
} from "../util";
import { responsesUsage } from "./responses";

/** Request fields understood here; every other top-level field is refused. */
const REQUEST_FIELDS = [
  "model",
  "messages",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "stop",
  "n",
  "stream",
  "stream_options",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "reasoning_effort",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "logprobs",
  "user",
  "safety_identifier",
  "prompt_cache_key",
  "store",
  "metadata",
  "service_tier",
  "modalities",
] as const;

const EFFORTS: readonly Effort[] = ["none", "minimal", "low", "medium", "high", "xhigh", "max"];

// ---------------------------------------------------------------------------------------------
// Requests

function textParts(content: unknown, path: string, allowRefusal = false): TextPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  const parts: TextPart[] = [];
  asArray(content, path).forEach((raw, j) => {
    const p = asObject(raw, join(path, j));
    const type = p.type;
    if (type === "text") {
      refuseUnknown(p, ["type", "text"], join(path, j));
      parts.push({ type: "text", text: asString(p.text, join(join(path, j), "text")) });
    } else if (type === "refusal" && allowRefusal) {
      throw new TranslationError(join(join(path, j), "type"), `"refusal" parts in the history ${UNTRANSLATABLE}`);
    } else {
      throw new TranslationError(join(join(path, j), "type"), `${JSON.stringify(type)} ${UNTRANSLATABLE} here (only text)`);
    }
  });
  return parts;
}

function userParts(content: unknown, path: string): UserPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return asArray(content, path).map((raw, j): UserPart => {
    const at = join(path, j);
    const p = asObject(raw, at);
    if (p.type === "text") {
      refuseUnknown(p, ["type", "text"], at);
      return { type: "text", text: asString(p.text, join(at, "text")) };
    }
    if (p.type === "image_url") {
      refuseUnknown(p, ["type", "image_url"], at);
      const image = asObject(p.image_url, join(at, "image_url"));
      // `detail` picks the resolution OpenAI reads the image at; the other providers choose their
      // own, so it is a hint with no counterpart (see README).
      refuseUnknown(image, ["url", "detail"], join(at, "image_url"));
      return { type: "image", source: imageFromUrl(asString(image.url, join(join(at, "image_url"), "url"))) };
    }
    throw new TranslationError(join(at, "type"), `${JSON.stringify(p.type)} ${UNTRANSLATABLE}`);
  });
}

function parseMessages(raw: unknown, system: TextPart[]): CanonicalMessage[] {
  const messages: CanonicalMessage[] = [];
  asArray(raw, "messages").forEach((value, i) => {
    const path = join("messages", i);
    const m = asObject(value, path);
    const role = m.role;
    if (role === "system" || role === "developer") {
      refuseUnknown(m, ["role", "content"], path);
      if (messages.length > 0) throw new TranslationError(join(path, "role"), `a ${role} message after the conversation has started ${UNTRANSLATABLE}`);
      system.push(...textParts(m.content, join(path, "content")));
    } else if (role === "user") {
      refuseUnknown(m, ["role", "content"], path);
      messages.push({ role: "user", content: userParts(m.content, join(path, "content")), path });
    } else if (role === "assistant") {
      refuseUnknown(m, ["role", "content", "tool_calls", "refusal"], path);
      if (m.refusal !== undefined && m.refusal !== null) throw new TranslationError(join(path, "refusal"), UNTRANSLATABLE);
      const content: AssistantPart[] = m.content === undefined || m.content === null ? [] : textParts(m.content, join(path, "content"), true);
      if (m.tool_calls !== undefined && m.tool_calls !== null) {
        asArray(m.tool_calls, join(path, "tool_calls")).forEach((rawCall, k) => {
          const at = join(join(path, "tool_calls"), k);
          const call = asObject(rawCall, at);
          if (call.type !== undefined && call.type !== "function")
            throw new TranslationError(join(at, "type"), `${JSON.stringify(call.type)} ${UNTRANSLATABLE}`);
          const fn = asObject(call.function, join(at, "function"));
          content.push({
            type: "tool_call",
            id: asString(call.id, join(at, "id")),
            name: asString(fn.name, join(join(at, "function"), "name")),
            arguments: asString(fn.arguments ?? "", join(join(at, "function"), "arguments")),
          });
        });
      }
      messages.push({ role: "assistant", content, path });
    } else if (role === "tool") {
      refuseUnknown(m, ["role", "content", "tool_call_id"], path);
      messages.push({
        role: "tool",
        content: {
          type: "tool_result",
          toolCallId: asString(m.tool_call_id, join(path, "tool_call_id")),
          content: textParts(m.content, join(path, "content")),
        },
        path,
      });
    } else {
      throw new TranslationError(join(path, "role"), `${JSON.stringify(role)} ${UNTRANSLATABLE}`);
    }
  });
  return messages;
}

function parseTools(raw: unknown): CanonicalTool[] {
  return asArray(raw, "tools").map((value, i) => {
    const path = join("tools", i);
    const t = asObject(value, path);
    if (t.type !== "function") throw new TranslationError(join(path, "type"), `${JSON.stringify(t.type)} tools ${UNTRANSLATABLE}`);
    refuseUnknown(t, ["type", "function"], path);
    const fnPath = join(path, "function");
    const fn = asObject(t.function, fnPath);
    refuseUnknown(fn, ["name", "description", "parameters", "strict"], fnPath);
    const tool: CanonicalTool = {
      name: asString(fn.name, join(fnPath, "name")),
      parameters: fn.parameters === undefined ? { type: "object", properties: {} } : asObject(fn.parameters, join(fnPath, "parameters")),
      path: fnPath,
    };
    if (fn.description !== undefined) tool.description = asString(fn.description, join(fnPath, "description"));
    if (fn.strict !== undefined && fn.strict !== null) tool.strict = asBoolean(fn.strict, join(fnPath, "strict"));
    return tool;
  });
}

function parseToolChoice(raw: unknown): ToolChoice {
  if (raw === "auto" || raw === "none" || raw === "required") return { type: raw };
  const c = asObject(raw, "tool_choice");
  if (c.type === "function") {
    const fn = asObject(c.function, "tool_choice.function");
    return { type: "tool", name: asString(fn.name, "tool_choice.function.name") };
  }
  throw new TranslationError("tool_choice.type", `${JSON.stringify(c.type)} ${UNTRANSLATABLE}`);
}

function parseResponseFormat(raw: unknown): ResponseFormat {
  const f = asObject(raw, "response_format");
  if (f.type === "text" || f.type === "json_object") return { type: f.type };
  if (f.type === "json_schema") {
    const js = asObject(f.json_schema, "response_format.json_schema");
    refuseUnknown(js, ["name", "description", "schema", "strict"], "response_format.json_schema");
    const out: ResponseFormat = { type: "json_schema", schema: js.schema === undefined ? {} : asObject(js.schema, "response_format.json_schema.schema") };
    if (js.name !== undefined) out.name = asString(js.name, "response_format.json_schema.name");
    if (js.description !== undefined) out.description = asString(js.description, "response_format.json_schema.description");
    if (js.strict !== undefined && js.strict !== null) out.strict = asBoolean(js.strict, "response_format.json_schema.strict");
    return out;
  }
  throw new TranslationError("response_format.type", `${JSON.stringify(f.type)} ${UNTRANSLATABLE}`);
}

export function parseOpenAIRequest(body: unknown, opts: { model?: string; stream?: boolean } = {}): CanonicalRequest {
  const b = asObject(body, "body");
  refuseUnknown(b, REQUEST_FIELDS, "");
  const system: TextPart[] = [];
  const req: CanonicalRequest = {
    model: opts.model ?? asString(b.model, "model"),
    system,
    messages: parseMessages(b.messages, system),
    stream: opts.stream ?? b.stream === true,
    paths: {},
  };
  const paths = req.paths;
  if (b.tools !== undefined && b.tools !== null) req.tools = parseTools(b.tools);
  if (b.tool_choice !== undefined && b.tool_choice !== null) req.toolChoice = parseToolChoice(b.tool_choice);
  if (b.parallel_tool_calls !== undefined && b.parallel_tool_calls !== null) {
    req.parallelToolCalls = asBoolean(b.parallel_tool_calls, "parallel_tool_calls");
    paths.parallelToolCalls = "parallel_tool_calls";
  }
  const maxKey = b.max_completion_tokens !== undefined && b.max_completion_tokens !== null ? "max_completion_tokens" : "max_tokens";
  const max = optNumber(b[maxKey], maxKey);
  if (max !== undefined) {
    req.maxTokens = max;
    paths.maxTokens = maxKey;
  }
  for (const [key, field] of [
    ["temperature", "temperature"],
    ["topP", "top_p"],
    ["presencePenalty", "presence_penalty"],
    ["frequencyPenalty", "frequency_penalty"],
    ["seed", "seed"],
  ] as const) {
    const v = optNumber(b[field], field);
    if (v !== undefined) {
      req[key] = v;
      paths[key] = field;
    }
  }
  if (b.stop !== undefined && b.stop !== null) {
    req.stop = typeof b.stop === "string" ? [b.stop] : asArray(b.stop, "stop").map((s, i) => asString(s, join("stop", i)));
    paths.stop = "stop";
  }
  if (b.n !== undefined && b.n !== null && asNumber(b.n, "n") !== 1)
    throw new TranslationError("n", `only 1 choice ${UNTRANSLATABLE.replace("cannot", "can")}`);
  if (b.logprobs === true) throw new TranslationError("logprobs", UNTRANSLATABLE);
  if (b.response_format !== undefined && b.response_format !== null) {
    req.responseFormat = parseResponseFormat(b.response_format);
    paths.responseFormat = "response_format";
  }
  if (b.reasoning_effort !== undefined && b.reasoning_effort !== null) {
    const effort = b.reasoning_effort as Effort;
    if (!EFFORTS.includes(effort)) throw new TranslationError("reasoning_effort", `${JSON.stringify(effort)} is not a known effort`);
    req.effort = effort;
    paths.effort = "reasoning_effort";
    if (effort === "none") {
      req.thinking = { type: "disabled" };
      paths.thinking = "reasoning_effort";
    }
  }
  if (b.stream_options !== undefined && b.stream_options !== null) {
    const so = asObject(b.stream_options, "stream_options");
    refuseUnknown(so, ["include_usage", "include_obfuscation"], "stream_options");
    if (so.include_usage !== undefined) req.includeUsage = asBoolean(so.include_usage, "stream_options.include_usage");
  }
  if (b.service_tier !== undefined && b.service_tier !== null && b.service_tier !== "auto" && b.service_tier !== "default") {
    throw new TranslationError("service_tier", `${JSON.stringify(b.service_tier)} ${UNTRANSLATABLE}`);
  }
  if (b.modalities !== undefined && b.modalities !== null) {
    const modalities = asArray(b.modalities, "modalities");
    if (modalities.some((m) => m !== "text")) throw new TranslationError("modalities", `only ["text"] ${UNTRANSLATABLE.replace("cannot", "can")}`);
  }
  // user, safety_identifier, prompt_cache_key, store and metadata are hints for OpenAI's own
  // services (abuse monitoring, caching, stored completions); see README for why they are dropped.
  return req;
}

function userContent(parts: Array<TextPart | ImagePart>): string | Json[] {
  const only = parts[0];
  if (parts.length === 1 && only?.type === "text") return only.text;
  return parts.map((p) =>
    p.type === "text"
      ? { type: "text", text: p.text }
      : { type: "image_url", image_url: { url: p.source.kind === "url" ? p.source.url : dataUrl(p.source.mediaType, p.source.data) } },
  );
}

const textContent = (parts: TextPart[]): string | Json[] =>
  parts.length === 1 && parts[0] ? parts[0].text : parts.map((p) => ({ type: "text", text: p.text }));

export function buildOpenAIRequest(req: CanonicalRequest, upstreamModel: string): Record<string, unknown> {
  const messages: Json[] = [];
  if (req.system.length > 0) messages.push({ role: "system", content: textContent(req.system) });
  for (const m of req.messages) {
    if (m.role === "user") {
      messages.push({ role: "user", content: userContent(m.content) });
    } else if (m.role === "assistant") {
      // Reasoning from the history (thinking parts) has no place in a Chat Completions request:
      // OpenAI keeps its own reasoning server-side and never accepts it back (see README).
      const texts = m.content.filter((p): p is TextPart => p.type === "text");
      const calls = m.content.filter((p) => p.type === "tool_call");
      const out: Json = { role: "assistant", content: texts.length === 0 ? (calls.length ? null : "") : textContent(texts) };
      if (calls.length) out.tool_calls = calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
      messages.push(out);
    } else {
      const result = m.content;
      const texts: TextPart[] = result.content.map((p, j) => {
        if (p.type !== "text")
          throw new TranslationError(`${m.path}.content[${j}]`, "an image in a tool result cannot be sent to an OpenAI model (tool messages carry text only)");
        return p;
      });
      messages.push({ role: "tool", tool_call_id: result.toolCallId, content: texts.length === 0 ? "" : textContent(texts) });
    }
  }
  const body: Record<string, unknown> = { model: upstreamModel, messages };
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => {
      const fn: Json = { name: t.name };
      if (t.description !== undefined) fn.description = t.description;
      fn.parameters = t.parameters;
      if (t.strict !== undefined) fn.strict = t.strict;
      return { type: "function", function: fn };
    });
  }
  if (req.toolChoice) body.tool_choice = req.toolChoice.type === "tool" ? { type: "function", function: { name: req.toolChoice.name } } : req.toolChoice.type;
  if (req.parallelToolCalls === false) body.parallel_tool_calls = false;
  // max_completion_tokens replaced max_tokens, which reasoning models refuse.
  if (req.maxTokens !== undefined) body.max_completion_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.topK !== undefined) throw cannotSend(req, "topK", "openai", "OpenAI has no top-k sampling");
  if (req.stop?.length) body.stop = req.stop;
  if (req.presencePenalty !== undefined) body.presence_penalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) body.frequency_penalty = req.frequencyPenalty;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.responseFormat && req.responseFormat.type !== "text") {
    const f = req.responseFormat;
    if (f.type === "json_object") body.response_format = { type: "json_object" };
    else {
      const js: Json = { name: f.name ?? "response" };
      if (f.description !== undefined) js.description = f.description;
      js.schema = f.schema;
      if (f.strict !== undefined) js.strict = f.strict;
      body.response_format = { type: "json_schema", json_schema: js };
    }
  }
  if (req.effort !== undefined) body.reasoning_effort = req.effort;
  if (req.includeThoughts) throw cannotSend(req, "includeThoughts", "openai", "Chat Completions never returns the reasoning text");
  if (req.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

// ---------------------------------------------------------------------------------------------
// Responses

const FINISH_TO_STOP: Record<string, StopReason> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  function_call: "tool_use",
  content_filter: "content_filter",
};
const STOP_TO_FINISH: Record<StopReason, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  other: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  content_filter: "content_filter",
  refusal: "content_filter",
};

/**
 * OpenAI counts cached tokens inside prompt_tokens; canonical input is the uncached part. A
 * Responses API usage (`input_tokens`, `output_tokens`) is read by its own reader: OpenAI's two
 * APIs report the same counts under two sets of names.
 */
export function openaiUsage(u: unknown): Usage {
  if (!isObject(u)) return { ...ZERO_USAGE };
  if (u.prompt_tokens === undefined && u.input_tokens !== undefined) return responsesUsage(u);
  const details = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const out = isObject(u.completion_tokens_details) ? u.completion_tokens_details : {};
  const cached = count(details.cached_tokens);
  const usage: Usage = {
    inputTokens: Math.max(0, count(u.prompt_tokens) - cached),
    outputTokens: count(u.completion_tokens),
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
  };
  if (count(out.reasoning_tokens) > 0) usage.reasoningTokens = count(out.reasoning_tokens);
  return usage;
}

function usageBody(u: Usage): Json {
  const prompt = totalInput(u);
  return {
    prompt_tokens: prompt,
    completion_tokens: u.outputTokens,
    total_tokens: prompt + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cacheReadTokens },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
  };
}

export function parseOpenAIResponse(body: unknown): CanonicalResponse {
  const b = asObject(body, "response");
  const choices = asArray(b.choices, "response.choices");
  const choice = asObject(choices[0], "response.choices[0]");
  const message = asObject(choice.message, "response.choices[0].message");
  const content: ResponsePart[] = [];
  let stopReason = FINISH_TO_STOP[String(choice.finish_reason)] ?? "other";
  if (typeof message.content === "string" && message.content !== "") content.push({ type: "text", text: message.content });
  if (typeof message.refusal === "string" && message.refusal !== "") {
    content.push({ type: "text", text: message.refusal });
    stopReason = "refusal";
  }
  for (const raw of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    const call = asObject(raw, "response.choices[0].message.tool_calls[]");
    const fn = asObject(call.function, "response.choices[0].message.tool_calls[].function");
    content.push({ type: "tool_call", id: String(call.id ?? ""), name: String(fn.name ?? ""), arguments: String(fn.arguments ?? "") });
  }
  return { id: String(b.id ?? ""), model: String(b.model ?? ""), content, stopReason, usage: openaiUsage(b.usage) };
}

export function buildOpenAIResponse(res: CanonicalResponse, ctx: { model: string; id: string; created: number }): Record<string, unknown> {
  const texts = res.content.filter((p) => p.type === "text");
  const calls = res.content.filter((p) => p.type === "tool_call");
  const message: Json = { role: "assistant", content: texts.length ? texts.map((p) => p.text).join("") : null, refusal: null };
  if (calls.length) message.tool_calls = calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
  return {
    id: ctx.id,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: STOP_TO_FINISH[res.stopReason] }],
    usage: usageBody(res.usage),
  };
}

// ---------------------------------------------------------------------------------------------
// Streams

function createDecoder() {
  let started = false;
  let next = 0; // next canonical block index
  let open: { index: number; kind: "text" | "tool" } | null = null;
  const toolIndex = new Map<number, number>(); // OpenAI tool_calls[].index → canonical index
  let stopReason: StopReason | undefined;
  let usage: Usage | undefined;
  let deltaSent = false;
  let stopped = false;

  const close = (out: CanonicalStreamEvent[]) => {
    if (open) out.push({ type: "block_stop", index: open.index });
    open = null;
  };
  const finish = (out: CanonicalStreamEvent[]) => {
    if (!deltaSent && (stopReason !== undefined || usage !== undefined)) {
      out.push({ type: "message_delta", ...(stopReason !== undefined ? { stopReason } : {}), ...(usage ? { usage } : {}) });
      deltaSent = true;
    }
  };

  return {
    push(ev: { event?: string; data: string }): CanonicalStreamEvent[] {
      const out: CanonicalStreamEvent[] = [];
      if (stopped) return out;
      if (ev.data.trim() === "[DONE]") {
        close(out);
        finish(out);
        out.push({ type: "message_stop" });
        stopped = true;
        return out;
      }
      const chunk = parseEventJson(ev.data);
      if (!chunk) return out;
      if (isObject(chunk.error)) {
        out.push({ type: "error", errorType: String(chunk.error.type ?? "api_error"), message: String(chunk.error.message ?? "") });
        return out;
      }
      if (!started) {
        started = true;
        out.push({ type: "message_start", id: String(chunk.id ?? ""), model: String(chunk.model ?? "") });
      }
      const choice = Array.isArray(chunk.choices) && isObject(chunk.choices[0]) ? chunk.choices[0] : null;
      const delta = choice && isObject(choice.delta) ? choice.delta : null;
      if (delta) {
        for (const key of ["content", "refusal"] as const) {
          const text = delta[key];
          if (typeof text === "string" && text !== "") {
            if (key === "refusal") stopReason = "refusal";
            if (open?.kind !== "text") {
              close(out);
              open = { index: next++, kind: "text" };
            }
            out.push({ type: "text_delta", index: open.index, text });
          }
        }
        for (const raw of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
          if (!isObject(raw)) continue;
          const oi = typeof raw.index === "number" ? raw.index : 0;
          const fn = isObject(raw.function) ? raw.function : {};
          let index = toolIndex.get(oi);
          if (index === undefined) {
            close(out);
            index = next++;
            toolIndex.set(oi, index);
            open = { index, kind: "tool" };
            out.push({ type: "tool_call_start", index, id: String(raw.id ?? ""), name: String(fn.name ?? "") });
          }
          if (typeof fn.arguments === "string" && fn.arguments !== "") out.push({ type: "tool_call_delta", index, argumentsDelta: fn.arguments });
        }
      }
      if (choice && typeof choice.finish_reason === "string") {
        close(out);
        stopReason = stopReason === "refusal" ? "refusal" : (FINISH_TO_STOP[choice.finish_reason] ?? "other");
      }
      if (isObject(chunk.usage)) {
        usage = openaiUsage(chunk.usage);
        finish(out);
      }
      return out;
    },
    end(): CanonicalStreamEvent[] {
      // Without [DONE] the stream is only complete if the upstream said why it stopped.
      const out: CanonicalStreamEvent[] = [];
      if (stopped || stopReason === undefined) return out;
      close(out);
      finish(out);
      out.push({ type: "message_stop" });
      stopped = true;
      return out;
    },
  };
}

function createEncoder(ctx: StreamEncodeContext) {
  const toolIndex = new Map<number, number>(); // canonical index → OpenAI tool_calls index
  let usage: Usage = { ...ZERO_USAGE };
  let started = false;
  let done = false;
  const chunk = (delta: Json, finish: string | null = null): string =>
    sse({
      id: ctx.id,
      object: "chat.completion.chunk",
      created: ctx.created,
      model: ctx.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  const start = (): string => {
    if (started) return "";
    started = true;
    return chunk({ role: "assistant", content: "" });
  };
  return {
    push(ev: CanonicalStreamEvent): string {
      if (done) return "";
      switch (ev.type) {
        case "message_start":
          usage = mergeUsage(usage, ev.usage);
          return start();
        case "text_delta":
          return start() + chunk({ content: ev.text });
        case "tool_call_start": {
          const k = toolIndex.size;
          toolIndex.set(ev.index, k);
          return start() + chunk({ tool_calls: [{ index: k, id: ev.id, type: "function", function: { name: ev.name, arguments: "" } }] });
        }
        case "tool_call_delta": {
          const k = toolIndex.get(ev.index);
          return k === undefined ? "" : chunk({ tool_calls: [{ index: k, function: { arguments: ev.argumentsDelta } }] });
        }
        case "message_delta": {
          usage = mergeUsage(usage, ev.usage);
          return ev.stopReason ? start() + chunk({}, STOP_TO_FINISH[ev.stopReason]) : "";
        }
        case "message_stop":
          done = true;
          return (
            start() +
            (ctx.includeUsage
              ? sse({ id: ctx.id, object: "chat.completion.chunk", created: ctx.created, model: ctx.model, choices: [], usage: usageBody(usage) })
              : "") +
            sse("[DONE]")
          );
        case "error":
          done = true;
          return sse({ error: { message: ev.message, type: ev.errorType, param: null, code: null } });
        default:
          // thinking has no Chat Completions form; block_stop needs no event.
          return "";
      }
    },
    end(): string {
      return "";
    },
  };
}

export const openaiAdapter: ProtocolAdapter = {
  protocol: "openai",
  parseRequest: parseOpenAIRequest,
  buildRequest: buildOpenAIRequest,
  parseResponse: parseOpenAIResponse,
  buildResponse: buildOpenAIResponse,
  createStreamDecoder: createDecoder,
  createStreamEncoder: createEncoder,
};
