// OpenAI Responses API ⇄ canonical.
// Reference: https://platform.openai.com/docs/api-reference/responses (request, response object,
// streaming events) and the openai-node types (node_modules/openai/resources/responses).
//
// The client side is what Codex CLI and the OpenAI SDKs send: `input` as a string or a list of
// items (messages, function calls and their outputs, reasoning), function tools and `namespace`
// groups of functions, hosted tools. An OpenAI channel gets the client's bytes untouched (the
// gateway never translates Responses to Chat Completions); this adapter serves Anthropic and
// Gemini channels, and reads and writes Responses bodies for the tests.

import {
  TranslationError,
  ZERO_USAGE,
  type AssistantPart,
  type CanonicalMessage,
  type CanonicalRequest,
  type CanonicalResponse,
  type CanonicalStreamEvent,
  type CanonicalTool,
  type EncodeContext,
  type Effort,
  type ProtocolAdapter,
  type ResponseFormat,
  type ResponsePart,
  type StopReason,
  type StreamEncodeContext,
  type TextPart,
  type ThinkingPart,
  type ToolChoice,
  type Usage,
  type UserPart,
} from "../canonical";
import {
  UNTRANSLATABLE,
  asArray,
  asBoolean,
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

/** Request fields understood here; every other top-level field is refused. */
const REQUEST_FIELDS = [
  "model",
  "input",
  "instructions",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "max_output_tokens",
  "temperature",
  "top_p",
  "text",
  "reasoning",
  "stream",
  "stream_options",
  // Hints for OpenAI's own platform (see README): storage, caching, end-user ids, metadata.
  "store",
  "include",
  "prompt_cache_key",
  "prompt_cache_retention",
  "client_metadata",
  "metadata",
  "user",
  "safety_identifier",
  "service_tier",
  "truncation",
  // Refused below with a message of their own.
  "previous_response_id",
  "background",
  "conversation",
] as const;

const EFFORTS: readonly Effort[] = ["none", "minimal", "low", "medium", "high", "xhigh", "max"];

/** Between a namespace and a member function in the flattened tool name the upstream sees. */
export const NAMESPACE_SEPARATOR = "__";

/** Tool types the Responses API runs on OpenAI's side; another provider cannot run them. */
export const FUNCTION_TOOL_TYPES = ["function", "namespace"] as const;

/**
 * Fields whose meaning needs state stored by a previous call (OpenAI keeps responses server-side;
 * the gateway stores nothing), refused for every channel: a follow-up could reach another channel
 * or provider, where that state does not exist. `null` in the body is accepted.
 */
export function statefulField(body: Record<string, unknown>): string | null {
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) return "previous_response_id";
  if (body.conversation !== undefined && body.conversation !== null) return "conversation";
  if (body.background === true) return "background";
  return null;
}

export const STATEFUL_REASON =
  "needs a response stored by an earlier call, and the gateway stores none: send the whole conversation in `input` (with `store: false`), as Codex CLI does";

/** The types of the hosted tools (web_search, file_search, …) in a request, in order, once each. */
export function hostedToolTypes(body: Record<string, unknown>): string[] {
  const types: string[] = [];
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    const type = isObject(tool) && typeof tool.type === "string" ? tool.type : "unknown";
    if (!(FUNCTION_TOOL_TYPES as readonly string[]).includes(type) && !types.includes(type)) types.push(type);
  }
  return types;
}

/** Flattened tool name → its namespace and own name, for the namespaced functions of a request. */
export function namespacedToolNames(body: Record<string, unknown>): Record<string, { namespace: string; name: string }> {
  const names: Record<string, { namespace: string; name: string }> = {};
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    if (!isObject(tool) || tool.type !== "namespace" || typeof tool.name !== "string") continue;
    for (const member of Array.isArray(tool.tools) ? tool.tools : []) {
      if (isObject(member) && typeof member.name === "string") names[flatName(tool.name, member.name)] = { namespace: tool.name, name: member.name };
    }
  }
  return names;
}

const flatName = (namespace: string, name: string): string => `${namespace}${NAMESPACE_SEPARATOR}${name}`;

/**
 * Another provider's reasoning (Claude's signed thinking, Gemini's thoughts) travels to a Responses
 * client as a `reasoning` item whose `encrypted_content` is this prefix and the reasoning as base64
 * JSON; Codex sends such items back with the history, and they become thinking again. Claude needs
 * its signed thinking back in a tool-use loop with thinking on. Items without the prefix are
 * OpenAI's own, which no other provider can read: they are dropped.
 */
export const CARRIED_REASONING_PREFIX = "gatehouse.reasoning.v1.";

function carryReasoning(p: { text: string; signature?: string; redacted?: boolean }): string {
  const json = JSON.stringify({ text: p.text, ...(p.signature ? { signature: p.signature } : {}), ...(p.redacted ? { redacted: true } : {}) });
  return CARRIED_REASONING_PREFIX + Buffer.from(json, "utf8").toString("base64");
}

function carriedReasoning(content: unknown): ThinkingPart | null {
  if (typeof content !== "string" || !content.startsWith(CARRIED_REASONING_PREFIX)) return null;
  try {
    const carried: unknown = JSON.parse(Buffer.from(content.slice(CARRIED_REASONING_PREFIX.length), "base64").toString("utf8"));
    if (!isObject(carried) || typeof carried.text !== "string") return null;
    const part: ThinkingPart = { type: "thinking", text: carried.text };
    if (typeof carried.signature === "string") part.signature = carried.signature;
    if (carried.redacted === true) part.redacted = true;
    return part;
  } catch {
    return null;
  }
}

const reasoningItem = (id: string, p: { text: string; signature?: string; redacted?: boolean } | null): Json => ({
  id,
  type: "reasoning",
  summary: [],
  ...(p ? { encrypted_content: carryReasoning(p) } : {}),
});

// ---------------------------------------------------------------------------------------------
// Requests

function contentParts(content: unknown, path: string, role: string): Array<UserPart> {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return asArray(content, path).map((raw, j): UserPart => {
    const at = join(path, j);
    const p = asObject(raw, at);
    if (p.type === "input_text" || p.type === "output_text" || p.type === "text") {
      // output_text carries annotations and logprobs of an earlier answer: not part of its meaning.
      refuseUnknown(p, ["type", "text", "annotations", "logprobs"], at);
      return { type: "text", text: asString(p.text, join(at, "text")) };
    }
    if (p.type === "input_image" && role === "user") {
      refuseUnknown(p, ["type", "image_url", "detail", "file_id"], at);
      if (p.file_id !== undefined && p.file_id !== null)
        throw new TranslationError(join(at, "file_id"), `uploaded files ${UNTRANSLATABLE}: send the image as a URL`);
      return { type: "image", source: imageFromUrl(asString(p.image_url, join(at, "image_url"))) };
    }
    throw new TranslationError(join(at, "type"), `${JSON.stringify(p.type)} ${UNTRANSLATABLE}`);
  });
}

function toolOutput(output: unknown, path: string): UserPart[] {
  if (typeof output === "string") return output === "" ? [] : [{ type: "text", text: output }];
  return contentParts(output, path, "user");
}

function parseInput(raw: unknown, system: TextPart[]): CanonicalMessage[] {
  if (typeof raw === "string") return [{ role: "user", content: [{ type: "text", text: raw }], path: "input" }];
  const messages: CanonicalMessage[] = [];
  /** The assistant turn being built: consecutive text and function calls belong to one. */
  let assistant: Extract<CanonicalMessage, { role: "assistant" }> | null = null;
  const assistantTurn = (path: string): AssistantPart[] => {
    if (!assistant) {
      assistant = { role: "assistant", content: [], path };
      messages.push(assistant);
    }
    return assistant.content;
  };
  asArray(raw, "input").forEach((value, i) => {
    const path = join("input", i);
    const item = asObject(value, path);
    const type = item.type ?? (item.role !== undefined ? "message" : undefined);
    if (type === "message") {
      refuseUnknown(item, ["type", "role", "content", "id", "status", "phase"], path);
      const role = item.role;
      if (role === "system" || role === "developer") {
        // Anthropic and Gemini take one system prompt: every instruction goes there, in order.
        system.push(...contentParts(item.content, join(path, "content"), "system").filter((p): p is TextPart => p.type === "text"));
      } else if (role === "user") {
        assistant = null;
        messages.push({ role: "user", content: contentParts(item.content, join(path, "content"), "user"), path });
      } else if (role === "assistant") {
        const parts = contentParts(item.content, join(path, "content"), "assistant");
        assistantTurn(path).push(...parts.filter((p): p is TextPart => p.type === "text"));
      } else {
        throw new TranslationError(join(path, "role"), `${JSON.stringify(role)} ${UNTRANSLATABLE}`);
      }
    } else if (type === "function_call") {
      refuseUnknown(item, ["type", "id", "call_id", "name", "namespace", "arguments", "status"], path);
      const name = asString(item.name, join(path, "name"));
      const namespace = typeof item.namespace === "string" && item.namespace !== "" ? item.namespace : null;
      assistantTurn(path).push({
        type: "tool_call",
        id: asString(item.call_id, join(path, "call_id")),
        name: namespace ? flatName(namespace, name) : name,
        arguments: asString(item.arguments ?? "", join(path, "arguments")),
      });
    } else if (type === "function_call_output") {
      refuseUnknown(item, ["type", "id", "call_id", "output", "status"], path);
      assistant = null;
      messages.push({
        role: "tool",
        content: { type: "tool_result", toolCallId: asString(item.call_id, join(path, "call_id")), content: toolOutput(item.output, join(path, "output")) },
        path,
      });
    } else if (type === "reasoning") {
      // Another provider's reasoning the gateway handed out comes back as thinking; OpenAI's own
      // (encrypted, or a summary) only OpenAI can read, so it is dropped.
      const carried = carriedReasoning(item.encrypted_content);
      if (carried) assistantTurn(path).push(carried);
    } else {
      throw new TranslationError(join(path, "type"), `${JSON.stringify(type)} items ${UNTRANSLATABLE}`);
    }
  });
  return messages;
}

function functionTool(t: Json, path: string, name: string): CanonicalTool {
  refuseUnknown(t, ["type", "name", "description", "parameters", "strict", "defer_loading"], path);
  const tool: CanonicalTool = {
    name,
    parameters: t.parameters === undefined || t.parameters === null ? { type: "object", properties: {} } : asObject(t.parameters, join(path, "parameters")),
    path,
  };
  if (t.description !== undefined && t.description !== null) tool.description = asString(t.description, join(path, "description"));
  // Codex marks its tools `strict: false`: only an explicit true asks for schema-exact arguments.
  if (t.strict === true) tool.strict = true;
  return tool;
}

function parseTools(raw: unknown): CanonicalTool[] {
  const tools: CanonicalTool[] = [];
  asArray(raw, "tools").forEach((value, i) => {
    const path = join("tools", i);
    const t = asObject(value, path);
    if (t.type === "function") tools.push(functionTool(t, path, asString(t.name, join(path, "name"))));
    else if (t.type === "namespace") {
      refuseUnknown(t, ["type", "name", "description", "tools"], path);
      const namespace = asString(t.name, join(path, "name"));
      asArray(t.tools, join(path, "tools")).forEach((member, k) => {
        const at = join(join(path, "tools"), k);
        const m = asObject(member, at);
        if (m.type !== "function") throw new TranslationError(join(at, "type"), `${JSON.stringify(m.type)} tools ${UNTRANSLATABLE}`);
        tools.push(functionTool(m, at, flatName(namespace, asString(m.name, join(at, "name")))));
      });
    }
    // Hosted tools (web_search, file_search, computer use, …) run on OpenAI's side: they are left
    // out, and the gateway names them in x-gatehouse-dropped-tools (hostedToolTypes).
  });
  return tools;
}

function parseToolChoice(raw: unknown): ToolChoice {
  if (raw === "auto" || raw === "none" || raw === "required") return { type: raw };
  const c = asObject(raw, "tool_choice");
  if (c.type === "function") return { type: "tool", name: asString(c.name, "tool_choice.name") };
  throw new TranslationError("tool_choice.type", `${JSON.stringify(c.type)} ${UNTRANSLATABLE}`);
}

function parseTextFormat(raw: unknown): ResponseFormat | undefined {
  const text = asObject(raw, "text");
  // `verbosity` tunes answer length on OpenAI's newest models; no other provider has it (a hint).
  refuseUnknown(text, ["format", "verbosity"], "text");
  if (text.format === undefined || text.format === null) return undefined;
  const f = asObject(text.format, "text.format");
  if (f.type === "text" || f.type === "json_object") return { type: f.type };
  if (f.type === "json_schema") {
    refuseUnknown(f, ["type", "name", "description", "schema", "strict"], "text.format");
    const out: ResponseFormat = { type: "json_schema", schema: f.schema === undefined ? {} : asObject(f.schema, "text.format.schema") };
    if (f.name !== undefined) out.name = asString(f.name, "text.format.name");
    if (f.description !== undefined) out.description = asString(f.description, "text.format.description");
    if (f.strict !== undefined && f.strict !== null) out.strict = asBoolean(f.strict, "text.format.strict");
    return out;
  }
  throw new TranslationError("text.format.type", `${JSON.stringify(f.type)} ${UNTRANSLATABLE}`);
}

export function parseResponsesRequest(body: unknown, opts: { model?: string; stream?: boolean } = {}): CanonicalRequest {
  const b = asObject(body, "body");
  refuseUnknown(b, REQUEST_FIELDS, "");
  const stateful = statefulField(b);
  if (stateful) throw new TranslationError(stateful, STATEFUL_REASON);
  const system: TextPart[] = [];
  if (b.instructions !== undefined && b.instructions !== null) system.push({ type: "text", text: asString(b.instructions, "instructions") });
  const req: CanonicalRequest = {
    model: opts.model ?? asString(b.model, "model"),
    system,
    messages: parseInput(b.input, system),
    stream: opts.stream ?? b.stream === true,
    paths: {},
  };
  const paths = req.paths;
  if (b.tools !== undefined && b.tools !== null) {
    const tools = parseTools(b.tools);
    if (tools.length > 0) req.tools = tools;
  }
  if (b.tool_choice !== undefined && b.tool_choice !== null && req.tools) req.toolChoice = parseToolChoice(b.tool_choice);
  if (b.parallel_tool_calls !== undefined && b.parallel_tool_calls !== null) {
    req.parallelToolCalls = asBoolean(b.parallel_tool_calls, "parallel_tool_calls");
    paths.parallelToolCalls = "parallel_tool_calls";
  }
  const max = optNumber(b.max_output_tokens, "max_output_tokens");
  if (max !== undefined) {
    req.maxTokens = max;
    paths.maxTokens = "max_output_tokens";
  }
  for (const [key, field] of [
    ["temperature", "temperature"],
    ["topP", "top_p"],
  ] as const) {
    const v = optNumber(b[field], field);
    if (v !== undefined) {
      req[key] = v;
      paths[key] = field;
    }
  }
  if (b.text !== undefined && b.text !== null) {
    const format = parseTextFormat(b.text);
    if (format) {
      req.responseFormat = format;
      paths.responseFormat = "text.format";
    }
  }
  if (b.reasoning !== undefined && b.reasoning !== null) {
    const r = asObject(b.reasoning, "reasoning");
    // `summary` asks OpenAI for reasoning summaries; other providers return none (a hint).
    refuseUnknown(r, ["effort", "summary", "generate_summary"], "reasoning");
    if (r.effort !== undefined && r.effort !== null) {
      const effort = r.effort as Effort;
      if (!EFFORTS.includes(effort)) throw new TranslationError("reasoning.effort", `${JSON.stringify(effort)} is not a known effort`);
      req.effort = effort;
      paths.effort = "reasoning.effort";
      if (effort === "none") {
        req.thinking = { type: "disabled" };
        paths.thinking = "reasoning.effort";
      }
    }
  }
  if (b.stream_options !== undefined && b.stream_options !== null)
    refuseUnknown(asObject(b.stream_options, "stream_options"), ["include_obfuscation"], "stream_options");
  if (b.service_tier !== undefined && b.service_tier !== null && b.service_tier !== "auto" && b.service_tier !== "default") {
    throw new TranslationError("service_tier", `${JSON.stringify(b.service_tier)} ${UNTRANSLATABLE}`);
  }
  if (b.truncation !== undefined && b.truncation !== null && b.truncation !== "disabled")
    throw new TranslationError("truncation", `${JSON.stringify(b.truncation)} ${UNTRANSLATABLE}`);
  // store, include, prompt_cache_key, client_metadata, metadata, user and safety_identifier are
  // hints for OpenAI's own platform; see README for why they are dropped.
  return req;
}

export function buildResponsesRequest(req: CanonicalRequest, upstreamModel: string): Record<string, unknown> {
  const input: Json[] = [];
  for (const m of req.messages) {
    if (m.role === "user") {
      input.push({
        role: "user",
        content: m.content.map((p) =>
          p.type === "text"
            ? { type: "input_text", text: p.text }
            : { type: "input_image", image_url: p.source.kind === "url" ? p.source.url : dataUrl(p.source.mediaType, p.source.data) },
        ),
      });
    } else if (m.role === "assistant") {
      const texts = m.content.filter((p): p is TextPart => p.type === "text");
      if (texts.length) input.push({ role: "assistant", content: texts.map((p) => ({ type: "output_text", text: p.text })) });
      for (const p of m.content) if (p.type === "tool_call") input.push({ type: "function_call", call_id: p.id, name: p.name, arguments: p.arguments });
    } else {
      const result = m.content;
      const output = result.content.map((p, j) => {
        if (p.type !== "text") throw new TranslationError(`${m.path}.content[${j}]`, "an image in a tool result cannot be sent as a function call output");
        return p.text;
      });
      input.push({ type: "function_call_output", call_id: result.toolCallId, output: output.join("") });
    }
  }
  const body: Record<string, unknown> = { model: upstreamModel, input };
  if (req.system.length) body.instructions = req.system.map((p) => p.text).join("\n\n");
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => {
      const tool: Json = { type: "function", name: t.name };
      if (t.description !== undefined) tool.description = t.description;
      tool.parameters = t.parameters;
      if (t.strict !== undefined) tool.strict = t.strict;
      return tool;
    });
  }
  if (req.toolChoice) body.tool_choice = req.toolChoice.type === "tool" ? { type: "function", name: req.toolChoice.name } : req.toolChoice.type;
  if (req.parallelToolCalls === false) body.parallel_tool_calls = false;
  if (req.maxTokens !== undefined) body.max_output_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  for (const key of ["topK", "stop", "presencePenalty", "frequencyPenalty", "seed", "includeThoughts"] as const) {
    const v = req[key];
    if (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) throw cannotSend(req, key, "responses");
  }
  if (req.responseFormat && req.responseFormat.type !== "text") {
    const f = req.responseFormat;
    if (f.type === "json_object") body.text = { format: { type: "json_object" } };
    else {
      const format: Json = { type: "json_schema", name: f.name ?? "response" };
      if (f.description !== undefined) format.description = f.description;
      format.schema = f.schema;
      if (f.strict !== undefined) format.strict = f.strict;
      body.text = { format };
    }
  }
  if (req.effort !== undefined) body.reasoning = { effort: req.effort };
  if (req.stream) body.stream = true;
  body.store = false;
  return body;
}

// ---------------------------------------------------------------------------------------------
// Responses

/**
 * Responses usage → canonical. The Responses API counts cached tokens inside `input_tokens` and
 * reasoning inside `output_tokens`, as Chat Completions does with its own names; `openaiUsage`
 * reads both shapes through this.
 */
export function responsesUsage(u: unknown): Usage {
  if (!isObject(u)) return { ...ZERO_USAGE };
  const details = isObject(u.input_tokens_details) ? u.input_tokens_details : {};
  const out = isObject(u.output_tokens_details) ? u.output_tokens_details : {};
  const cached = count(details.cached_tokens);
  const usage: Usage = {
    inputTokens: Math.max(0, count(u.input_tokens) - cached),
    outputTokens: count(u.output_tokens),
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
  };
  if (count(out.reasoning_tokens) > 0) usage.reasoningTokens = count(out.reasoning_tokens);
  return usage;
}

function usageBody(u: Usage): Json {
  const input = totalInput(u);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.cacheReadTokens },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: input + u.outputTokens,
  };
}

/** Why a response is incomplete, for a stop reason that cut the answer short. */
function incompleteReason(stop: StopReason | undefined): string | null {
  if (stop === "max_tokens") return "max_output_tokens";
  if (stop === "content_filter" || stop === "refusal") return "content_filter";
  return null;
}

/** The client's view of a tool name: a namespaced function gets its own name and `namespace` back. */
type ToolNames = Record<string, { namespace: string; name: string }>;

function functionCallItem(id: string, callId: string, name: string, args: string, status: string, names: ToolNames | undefined): Json {
  const original = names?.[name];
  return {
    id,
    type: "function_call",
    status,
    arguments: args,
    call_id: callId,
    name: original ? original.name : name,
    ...(original ? { namespace: original.namespace } : {}),
  };
}

const messageItem = (id: string, text: string, status: string): Json => ({
  id,
  type: "message",
  status,
  role: "assistant",
  content: status === "in_progress" ? [] : [outputText(text)],
});

const outputText = (text: string): Json => ({ type: "output_text", annotations: [], logprobs: [], text });

/** The response object around `output`, as the Responses API returns and streams it. */
function responseObject(ctx: EncodeContext, status: string, output: Json[], usage: Usage | null, stop?: StopReason, error?: Json): Json {
  const reason = status === "incomplete" ? incompleteReason(stop) : null;
  return {
    id: ctx.id,
    object: "response",
    created_at: ctx.created,
    status,
    background: false,
    error: error ?? null,
    incomplete_details: reason ? { reason } : null,
    instructions: null,
    max_output_tokens: null,
    model: ctx.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: null,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: null,
    truncation: "disabled",
    usage: usage ? usageBody(usage) : null,
    metadata: {},
  };
}

export function parseResponsesResponse(body: unknown): CanonicalResponse {
  const b = asObject(body, "response");
  const content: ResponsePart[] = [];
  let sawCall = false;
  for (const raw of Array.isArray(b.output) ? b.output : []) {
    if (!isObject(raw)) continue;
    if (raw.type === "message") {
      for (const part of Array.isArray(raw.content) ? raw.content : []) {
        if (isObject(part) && (part.type === "output_text" || part.type === "refusal"))
          content.push({ type: "text", text: String(part.text ?? part.refusal ?? "") });
      }
    } else if (raw.type === "function_call") {
      sawCall = true;
      const name = typeof raw.namespace === "string" && raw.namespace !== "" ? flatName(raw.namespace, String(raw.name ?? "")) : String(raw.name ?? "");
      content.push({ type: "tool_call", id: String(raw.call_id ?? ""), name, arguments: String(raw.arguments ?? "") });
    }
  }
  const details = isObject(b.incomplete_details) ? b.incomplete_details : {};
  const stopReason: StopReason =
    b.status === "incomplete" ? (details.reason === "content_filter" ? "content_filter" : "max_tokens") : sawCall ? "tool_use" : "end_turn";
  return { id: String(b.id ?? ""), model: String(b.model ?? ""), content, stopReason, usage: responsesUsage(b.usage) };
}

export function buildResponsesResponse(res: CanonicalResponse, ctx: EncodeContext): Record<string, unknown> {
  const output: Json[] = [];
  let n = 0;
  const suffix = ctx.id.replace(/^resp_/, "");
  for (const part of res.content) {
    const id = `${part.type === "text" ? "msg" : part.type === "thinking" ? "rs" : "fc"}_${suffix}_${n++}`;
    const last = output[output.length - 1];
    if (part.type === "thinking") output.push(reasoningItem(id, part));
    else if (part.type === "text") {
      if (last?.type === "message") {
        const first = (last.content as Json[])[0]!;
        first.text = String(first.text) + part.text;
      } else output.push(messageItem(id, part.text, "completed"));
    } else output.push(functionCallItem(id, part.id, part.name, part.arguments, "completed", ctx.toolNames));
  }
  const status = incompleteReason(res.stopReason) ? "incomplete" : "completed";
  return responseObject(ctx, status, output, res.usage, res.stopReason);
}

// ---------------------------------------------------------------------------------------------
// Streams

function createDecoder() {
  let started = false;
  let stopped = false;
  const itemIndex = new Map<number, number>(); // output_index → canonical block index
  let next = 0;
  const blockFor = (outputIndex: number): number => {
    let index = itemIndex.get(outputIndex);
    if (index === undefined) {
      index = next++;
      itemIndex.set(outputIndex, index);
    }
    return index;
  };
  return {
    push(ev: { event?: string; data: string }): CanonicalStreamEvent[] {
      const out: CanonicalStreamEvent[] = [];
      if (stopped) return out;
      const e = parseEventJson(ev.data);
      if (!e) return out;
      const type = String(e.type ?? ev.event ?? "");
      const outputIndex = typeof e.output_index === "number" ? e.output_index : 0;
      const response = isObject(e.response) ? e.response : {};
      if (!started && type !== "error") {
        started = true;
        out.push({ type: "message_start", id: String(response.id ?? ""), model: String(response.model ?? "") });
      }
      if (type === "response.output_item.added" && isObject(e.item) && e.item.type === "function_call") {
        const item = e.item;
        const name = typeof item.namespace === "string" && item.namespace !== "" ? flatName(item.namespace, String(item.name ?? "")) : String(item.name ?? "");
        out.push({ type: "tool_call_start", index: blockFor(outputIndex), id: String(item.call_id ?? ""), name });
      } else if (type === "response.output_text.delta" && typeof e.delta === "string") {
        out.push({ type: "text_delta", index: blockFor(outputIndex), text: e.delta });
      } else if (type === "response.function_call_arguments.delta" && typeof e.delta === "string") {
        out.push({ type: "tool_call_delta", index: blockFor(outputIndex), argumentsDelta: e.delta });
      } else if (type === "response.output_item.done") {
        if (itemIndex.has(outputIndex)) out.push({ type: "block_stop", index: blockFor(outputIndex) });
      } else if (type === "response.completed" || type === "response.incomplete") {
        const parsed = parseResponsesResponse({ ...response, output: [] });
        const sawCall =
          [...itemIndex.keys()].length > 0 && Array.isArray(response.output) && response.output.some((o) => isObject(o) && o.type === "function_call");
        const stopReason: StopReason = type === "response.incomplete" ? parsed.stopReason : sawCall ? "tool_use" : "end_turn";
        out.push({ type: "message_delta", stopReason, usage: responsesUsage(response.usage) }, { type: "message_stop" });
        stopped = true;
      } else if (type === "response.failed" || type === "error") {
        const error = isObject(response.error) ? response.error : e;
        out.push({ type: "error", errorType: String(error.code ?? error.type ?? "api_error"), message: String(error.message ?? "") });
        stopped = true;
      }
      return out;
    },
    end(): CanonicalStreamEvent[] {
      return [];
    },
  };
}

/**
 * Canonical events → the Responses event stream, in the order the API sends it: created,
 * in_progress, then per output item added → (content part added → text deltas → text done →
 * content part done | argument deltas → arguments done) → item done, and completed (incomplete at
 * the token limit, failed on an upstream error). Every event carries `sequence_number`.
 */
function createEncoder(ctx: StreamEncodeContext) {
  let seq = 0;
  let usage: Usage = { ...ZERO_USAGE };
  let stopReason: StopReason | undefined;
  let started = false;
  let done = false;
  const suffix = ctx.id.replace(/^resp_/, "");
  const output: Json[] = [];
  /** The item being streamed: its output index, kind, id and what it has so far. */
  let open: {
    outputIndex: number;
    kind: "text" | "tool" | "reasoning";
    id: string;
    text: string;
    callId: string;
    name: string;
    canonical: number;
    signature?: string;
  } | null = null;

  const emit = (type: string, fields: Json): string => sse({ type, sequence_number: seq++, ...fields }, { event: type });
  const start = (): string => {
    if (started) return "";
    started = true;
    const response = responseObject(ctx, "in_progress", [], null);
    return emit("response.created", { response }) + emit("response.in_progress", { response });
  };
  const close = (): string => {
    if (!open) return "";
    const o = open;
    open = null;
    if (o.kind === "reasoning") {
      const item = reasoningItem(o.id, { text: o.text, signature: o.signature });
      output.push(item);
      return emit("response.output_item.done", { output_index: o.outputIndex, item });
    }
    if (o.kind === "text") {
      const item = messageItem(o.id, o.text, "completed");
      output.push(item);
      const base = { item_id: o.id, output_index: o.outputIndex, content_index: 0 };
      return (
        emit("response.output_text.done", { ...base, text: o.text, logprobs: [] }) +
        emit("response.content_part.done", { ...base, part: outputText(o.text) }) +
        emit("response.output_item.done", { output_index: o.outputIndex, item })
      );
    }
    const item = functionCallItem(o.id, o.callId, o.name, o.text, "completed", ctx.toolNames);
    output.push(item);
    return (
      emit("response.function_call_arguments.done", { item_id: o.id, output_index: o.outputIndex, name: item.name, arguments: o.text }) +
      emit("response.output_item.done", { output_index: o.outputIndex, item })
    );
  };
  const openText = (canonical: number): string => {
    if (open?.kind === "text") return "";
    let out = close();
    const outputIndex = output.length;
    const id = `msg_${suffix}_${outputIndex}`;
    open = { outputIndex, kind: "text", id, text: "", callId: "", name: "", canonical };
    out += emit("response.output_item.added", { output_index: outputIndex, item: messageItem(id, "", "in_progress") });
    out += emit("response.content_part.added", { item_id: id, output_index: outputIndex, content_index: 0, part: outputText("") });
    return out;
  };
  return {
    push(ev: CanonicalStreamEvent): string {
      if (done) return "";
      switch (ev.type) {
        case "message_start":
          usage = mergeUsage(usage, ev.usage);
          return start();
        case "text_delta": {
          const out = start() + openText(ev.index);
          open!.text += ev.text;
          return (
            out + emit("response.output_text.delta", { item_id: open!.id, output_index: open!.outputIndex, content_index: 0, delta: ev.text, logprobs: [] })
          );
        }
        case "thinking_delta":
        case "thinking_signature": {
          let out = start();
          if (open?.kind !== "reasoning" || open.canonical !== ev.index) {
            out += close();
            const outputIndex = output.length;
            const id = `rs_${suffix}_${outputIndex}`;
            open = { outputIndex, kind: "reasoning", id, text: "", callId: "", name: "", canonical: ev.index };
            out += emit("response.output_item.added", { output_index: outputIndex, item: reasoningItem(id, null) });
          }
          if (ev.type === "thinking_delta") open.text += ev.text;
          else open.signature = (open.signature ?? "") + ev.signature;
          return out;
        }
        case "tool_call_start": {
          let out = start() + close();
          const outputIndex = output.length;
          const id = `fc_${suffix}_${outputIndex}`;
          open = { outputIndex, kind: "tool", id, text: "", callId: ev.id, name: ev.name, canonical: ev.index };
          out += emit("response.output_item.added", {
            output_index: outputIndex,
            item: functionCallItem(id, ev.id, ev.name, "", "in_progress", ctx.toolNames),
          });
          return out;
        }
        case "tool_call_delta": {
          if (open?.kind !== "tool" || open.canonical !== ev.index) return "";
          open.text += ev.argumentsDelta;
          return emit("response.function_call_arguments.delta", { item_id: open.id, output_index: open.outputIndex, delta: ev.argumentsDelta });
        }
        case "block_stop":
          return open && open.canonical === ev.index && open.kind !== "text" ? close() : "";
        case "message_delta":
          usage = mergeUsage(usage, ev.usage);
          if (ev.stopReason) stopReason = ev.stopReason;
          return "";
        case "message_stop": {
          done = true;
          const out = start() + close();
          const status = incompleteReason(stopReason) ? "incomplete" : "completed";
          return out + emit(`response.${status}`, { response: responseObject(ctx, status, output, usage, stopReason) });
        }
        case "error": {
          done = true;
          const error = { code: ev.errorType === "rate_limit_error" ? "rate_limit_exceeded" : "server_error", message: ev.message };
          return start() + emit("response.failed", { response: responseObject(ctx, "failed", output, usage, undefined, error) });
        }
        default:
          return "";
      }
    },
    end(): string {
      return "";
    },
  };
}

export const responsesAdapter: ProtocolAdapter = {
  protocol: "responses",
  parseRequest: parseResponsesRequest,
  buildRequest: buildResponsesRequest,
  parseResponse: parseResponsesResponse,
  buildResponse: buildResponsesResponse,
  createStreamDecoder: createDecoder,
  createStreamEncoder: createEncoder,
};
