// Gemini generateContent ⇄ canonical.
// Reference: https://ai.google.dev/api/generate-content, .../gemini-api/docs/function-calling,
// .../gemini-api/docs/thinking and the @google/genai types (node_modules/@google/genai/dist/genai.d.ts).
//
// The REST API reads both lowerCamelCase and snake_case field names (its examples use both), so
// the request parser accepts either; everything built here is camelCase, the canonical form.
// Inside schemas, arguments and responses, keys are the user's own and are never renamed.

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
  parseArguments,
  parseEventJson,
  sse,
  totalInput,
  type Json,
} from "../util";

const snake = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The value of a field written in either case, and the key the client used (for error paths). */
function field(obj: Json, name: string): [unknown, string] {
  if (name in obj) return [obj[name], name];
  const alt = snake(name);
  return alt in obj ? [obj[alt], alt] : [undefined, name];
}

function refuseUnknown(obj: Json, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) if (!known.includes(camel(key))) throw new TranslationError(join(prefix, key), UNTRANSLATABLE);
}

const present = (v: unknown): boolean => v !== undefined && v !== null;

const REQUEST_FIELDS = ["model", "contents", "systemInstruction", "tools", "toolConfig", "generationConfig", "safetySettings", "labels"] as const;
const GENERATION_FIELDS = [
  "temperature",
  "topP",
  "topK",
  "maxOutputTokens",
  "stopSequences",
  "candidateCount",
  "responseMimeType",
  "responseSchema",
  "responseJsonSchema",
  "presencePenalty",
  "frequencyPenalty",
  "seed",
  "thinkingConfig",
  "responseModalities",
  "responseLogprobs",
  "mediaResolution",
] as const;

const LEVELS: Record<string, Effort> = { MINIMAL: "minimal", LOW: "low", MEDIUM: "medium", HIGH: "high" };

// ---------------------------------------------------------------------------------------------
// Requests

const SCHEMA_COPY = [
  "format",
  "description",
  "enum",
  "required",
  "minItems",
  "maxItems",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "pattern",
  "title",
  "default",
  "example",
  "minProperties",
  "maxProperties",
];

/** Gemini's OpenAPI-style Schema (uppercase types, `nullable`) → JSON Schema. */
export function schemaToJsonSchema(schema: unknown, path: string): Json {
  const s = asObject(schema, path);
  const out: Json = {};
  for (const [rawKey, v] of Object.entries(s)) {
    const key = camel(rawKey);
    const at = join(path, rawKey);
    if (key === "type") {
      const t = asString(v, at).toLowerCase();
      if (t !== "type_unspecified") out.type = t;
    } else if (key === "properties") {
      out.properties = Object.fromEntries(Object.entries(asObject(v, at)).map(([name, sub]) => [name, schemaToJsonSchema(sub, join(at, name))]));
    } else if (key === "items") out.items = schemaToJsonSchema(v, at);
    else if (key === "anyOf") out.anyOf = asArray(v, at).map((sub, i) => schemaToJsonSchema(sub, join(at, i)));
    else if (key === "nullable" || key === "propertyOrdering") {
      // nullable is folded into `type` below; propertyOrdering only orders generated keys.
    } else if (SCHEMA_COPY.includes(key)) {
      // int64 fields (minItems, minLength, …) arrive as strings in proto JSON.
      out[key] = /^(min|max)(Items|Length|Properties)$/.test(key) && typeof v === "string" ? Number(v) : v;
    } else throw new TranslationError(at, UNTRANSLATABLE);
  }
  if (field(s, "nullable")[0] === true && typeof out.type === "string") out.type = [out.type, "null"];
  return out;
}

function textOf(part: Json, at: string): string {
  return asString(part.text, join(at, "text"));
}

function parseContents(raw: unknown): CanonicalMessage[] {
  const messages: CanonicalMessage[] = [];
  const pendingCalls: { id: string; name: string }[] = []; // calls not yet answered, oldest first
  asArray(raw, "contents").forEach((value, i) => {
    const path = join("contents", i);
    const c = asObject(value, path);
    refuseUnknown(c, ["role", "parts"], path);
    const role = c.role ?? "user";
    const partsPath = join(path, "parts");
    const parts = asArray(c.parts, partsPath).map((p, j) => asObject(p, join(partsPath, j)));
    if (role === "model") {
      const content: AssistantPart[] = parts.map((p, j): AssistantPart => {
        const at = join(partsPath, j);
        // thoughtSignature lets Gemini resume its own reasoning; no other provider can use it.
        const [call, callKey] = field(p, "functionCall");
        if (present(call)) {
          refuseUnknown(p, ["functionCall", "thoughtSignature"], at);
          const fc = asObject(call, join(at, callKey));
          const name = asString(fc.name, join(join(at, callKey), "name"));
          const id = typeof fc.id === "string" && fc.id !== "" ? fc.id : `call_${i}_${j}`;
          pendingCalls.push({ id, name });
          return {
            type: "tool_call",
            id,
            name,
            arguments: JSON.stringify(fc.args === undefined || fc.args === null ? {} : asObject(fc.args, join(join(at, callKey), "args"))),
          };
        }
        refuseUnknown(p, ["text", "thought", "thoughtSignature"], at);
        if (p.thought === true) return { type: "thinking", text: textOf(p, at) };
        return { type: "text", text: textOf(p, at) };
      });
      messages.push({ role: "assistant", content, path });
    } else if (role === "user" || role === "function") {
      let pending: UserPart[] = [];
      const flush = () => {
        if (pending.length) messages.push({ role: "user", content: pending, path });
        pending = [];
      };
      parts.forEach((p, j) => {
        const at = join(partsPath, j);
        const [inline, inlineKey] = field(p, "inlineData");
        const [response, responseKey] = field(p, "functionResponse");
        if (typeof p.text === "string") {
          refuseUnknown(p, ["text"], at);
          pending.push({ type: "text", text: p.text });
        } else if (present(inline)) {
          refuseUnknown(p, ["inlineData"], at);
          const d = asObject(inline, join(at, inlineKey));
          const [mime, mimeKey] = field(d, "mimeType");
          const mediaType = asString(mime, join(join(at, inlineKey), mimeKey));
          if (!mediaType.startsWith("image/"))
            throw new TranslationError(join(join(at, inlineKey), mimeKey), `${JSON.stringify(mediaType)} ${UNTRANSLATABLE} (only images)`);
          pending.push({ type: "image", source: { kind: "base64", mediaType, data: asString(d.data, join(join(at, inlineKey), "data")) } });
        } else if (present(response)) {
          refuseUnknown(p, ["functionResponse"], at);
          flush();
          const fr = asObject(response, join(at, responseKey));
          const name = asString(fr.name, join(join(at, responseKey), "name"));
          let k = typeof fr.id === "string" ? pendingCalls.findIndex((call) => call.id === fr.id) : -1;
          if (k < 0) k = pendingCalls.findIndex((call) => call.name === name);
          const call = pendingCalls[k];
          if (!call)
            throw new TranslationError(
              join(join(at, responseKey), "name"),
              `answers no earlier functionCall named ${JSON.stringify(name)}, so it cannot be translated`,
            );
          pendingCalls.splice(k, 1);
          const result: ToolResultPart = { type: "tool_result", toolCallId: call.id, content: [] };
          const r = fr.response;
          // The documented convention: "output" holds the result, "error" the failure; any other
          // object is the output as a whole.
          const keys = isObject(r) ? Object.keys(r) : [];
          const asText = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));
          if (isObject(r) && keys.length === 1 && keys[0] === "output") result.content = [{ type: "text", text: asText(r.output) }];
          else if (isObject(r) && keys.length === 1 && keys[0] === "error") {
            result.content = [{ type: "text", text: asText(r.error) }];
            result.isError = true;
          } else result.content = [{ type: "text", text: JSON.stringify(r ?? {}) }];
          messages.push({ role: "tool", content: result, path: at });
        } else {
          throw new TranslationError(join(at, Object.keys(p)[0] ?? "text"), UNTRANSLATABLE);
        }
      });
      flush();
    } else {
      throw new TranslationError(join(path, "role"), `${JSON.stringify(role)} ${UNTRANSLATABLE}`);
    }
  });
  return messages;
}

function parseTools(raw: unknown): CanonicalTool[] {
  const tools: CanonicalTool[] = [];
  asArray(raw, "tools").forEach((value, i) => {
    const path = join("tools", i);
    const t = asObject(value, path);
    refuseUnknown(t, ["functionDeclarations"], path);
    const [decls, declsKey] = field(t, "functionDeclarations");
    asArray(decls, join(path, declsKey)).forEach((d, k) => {
      const at = join(join(path, declsKey), k);
      const fd = asObject(d, at);
      refuseUnknown(fd, ["name", "description", "parameters", "parametersJsonSchema"], at);
      const [params, paramsKey] = field(fd, "parameters");
      const [jsonSchema, jsonSchemaKey] = field(fd, "parametersJsonSchema");
      const tool: CanonicalTool = {
        name: asString(fd.name, join(at, "name")),
        parameters: present(jsonSchema)
          ? asObject(jsonSchema, join(at, jsonSchemaKey))
          : present(params)
            ? schemaToJsonSchema(params, join(at, paramsKey))
            : { type: "object", properties: {} },
        path: at,
      };
      if (fd.description !== undefined) tool.description = asString(fd.description, join(at, "description"));
      tools.push(tool);
    });
  });
  return tools;
}

function parseToolConfig(raw: unknown, key: string): ToolChoice | undefined {
  const tc = asObject(raw, key);
  refuseUnknown(tc, ["functionCallingConfig"], key);
  const [fcc, fccKey] = field(tc, "functionCallingConfig");
  if (!present(fcc)) return undefined;
  const at = join(key, fccKey);
  const c = asObject(fcc, at);
  refuseUnknown(c, ["mode", "allowedFunctionNames"], at);
  const [names, namesKey] = field(c, "allowedFunctionNames");
  const allowed = present(names) ? asArray(names, join(at, namesKey)).map((n, i) => asString(n, join(join(at, namesKey), i))) : [];
  const mode = c.mode ?? "AUTO";
  if (allowed.length > 0) {
    if (mode !== "ANY" || allowed.length > 1) throw new TranslationError(join(at, namesKey), `${UNTRANSLATABLE} except as one name with mode ANY`);
    return { type: "tool", name: allowed[0] ?? "" };
  }
  if (mode === "AUTO" || mode === "MODE_UNSPECIFIED") return { type: "auto" };
  if (mode === "NONE") return { type: "none" };
  if (mode === "ANY") return { type: "required" };
  throw new TranslationError(join(at, "mode"), `${JSON.stringify(mode)} ${UNTRANSLATABLE}`);
}

function parseGenerationConfig(raw: unknown, key: string, req: CanonicalRequest): void {
  const g = asObject(raw, key);
  refuseUnknown(g, GENERATION_FIELDS, key);
  const paths = req.paths;
  for (const [name, target] of [
    ["temperature", "temperature"],
    ["topP", "topP"],
    ["topK", "topK"],
    ["maxOutputTokens", "maxTokens"],
    ["presencePenalty", "presencePenalty"],
    ["frequencyPenalty", "frequencyPenalty"],
    ["seed", "seed"],
  ] as const) {
    const [v, k] = field(g, name);
    if (present(v)) {
      req[target] = asNumber(v, join(key, k));
      paths[target] = join(key, k);
    }
  }
  const [stops, stopsKey] = field(g, "stopSequences");
  if (present(stops)) {
    req.stop = asArray(stops, join(key, stopsKey)).map((s, i) => asString(s, join(join(key, stopsKey), i)));
    paths.stop = join(key, stopsKey);
  }
  const [n, nKey] = field(g, "candidateCount");
  if (present(n) && asNumber(n, join(key, nKey)) !== 1)
    throw new TranslationError(join(key, nKey), `only 1 candidate ${UNTRANSLATABLE.replace("cannot", "can")}`);
  const [logprobs, logprobsKey] = field(g, "responseLogprobs");
  if (logprobs === true) throw new TranslationError(join(key, logprobsKey), UNTRANSLATABLE);
  const [modalities, modalitiesKey] = field(g, "responseModalities");
  if (present(modalities) && asArray(modalities, join(key, modalitiesKey)).some((m) => m !== "TEXT"))
    throw new TranslationError(join(key, modalitiesKey), `only ["TEXT"] ${UNTRANSLATABLE.replace("cannot", "can")}`);
  // mediaResolution chooses how finely Gemini reads images: a hint like OpenAI's image `detail`.

  const [mime, mimeKey] = field(g, "responseMimeType");
  const [schema, schemaKey] = field(g, "responseSchema");
  const [jsonSchema, jsonSchemaKey] = field(g, "responseJsonSchema");
  if (present(mime) && mime !== "text/plain" && mime !== "application/json")
    throw new TranslationError(join(key, mimeKey), `${JSON.stringify(mime)} ${UNTRANSLATABLE}`);
  if (mime === "application/json" || present(schema) || present(jsonSchema)) {
    if (present(jsonSchema)) req.responseFormat = { type: "json_schema", schema: asObject(jsonSchema, join(key, jsonSchemaKey)) };
    else if (present(schema)) req.responseFormat = { type: "json_schema", schema: schemaToJsonSchema(schema, join(key, schemaKey)) };
    else req.responseFormat = { type: "json_object" };
    paths.responseFormat = join(key, present(jsonSchema) ? jsonSchemaKey : present(schema) ? schemaKey : mimeKey);
  }

  const [thinking, thinkingKey] = field(g, "thinkingConfig");
  if (present(thinking)) {
    const at = join(key, thinkingKey);
    const t = asObject(thinking, at);
    refuseUnknown(t, ["thinkingBudget", "thinkingLevel", "includeThoughts"], at);
    const [budget, budgetKey] = field(t, "thinkingBudget");
    const [level, levelKey] = field(t, "thinkingLevel");
    const [include, includeKey] = field(t, "includeThoughts");
    if (present(budget)) {
      const b = asNumber(budget, join(at, budgetKey));
      req.thinking = b === 0 ? { type: "disabled" } : b < 0 ? { type: "enabled" } : { type: "enabled", budgetTokens: b };
      paths.thinking = join(at, budgetKey);
    }
    if (present(level)) {
      const effort = LEVELS[String(level).toUpperCase()];
      if (!effort) throw new TranslationError(join(at, levelKey), `${JSON.stringify(level)} is not a known thinking level`);
      req.effort = effort;
      paths.effort = join(at, levelKey);
    }
    if (present(include) && asBoolean(include, join(at, includeKey))) {
      req.includeThoughts = true;
      paths.includeThoughts = join(at, includeKey);
    }
  }
}

export function parseGeminiRequest(body: unknown, opts: { model?: string; stream?: boolean } = {}): CanonicalRequest {
  const b = asObject(body, "body");
  refuseUnknown(b, REQUEST_FIELDS, "");
  const model = opts.model ?? (typeof b.model === "string" ? b.model.replace(/^models\//, "") : undefined);
  if (!model) throw new TranslationError("model", "must be given (Gemini names the model in the URL)");
  const req: CanonicalRequest = { model, system: [], messages: parseContents(b.contents), stream: opts.stream ?? false, paths: {} };
  const [system, systemKey] = field(b, "systemInstruction");
  if (typeof system === "string") req.system = [{ type: "text", text: system }];
  else if (present(system)) {
    const s = asObject(system, systemKey);
    refuseUnknown(s, ["role", "parts"], systemKey);
    req.system = asArray(s.parts, join(systemKey, "parts")).map((p, i): TextPart => {
      const part = asObject(p, join(join(systemKey, "parts"), i));
      refuseUnknown(part, ["text"], join(join(systemKey, "parts"), i));
      return { type: "text", text: textOf(part, join(join(systemKey, "parts"), i)) };
    });
  }
  if (present(b.tools)) req.tools = parseTools(b.tools);
  const [toolConfig, toolConfigKey] = field(b, "toolConfig");
  if (present(toolConfig)) {
    const choice = parseToolConfig(toolConfig, toolConfigKey);
    if (choice) req.toolChoice = choice;
  }
  const [gen, genKey] = field(b, "generationConfig");
  if (present(gen)) parseGenerationConfig(gen, genKey, req);
  // safetySettings tune Gemini's own content filters and labels tag Vertex billing: neither has
  // a counterpart at another provider, whose own policies apply (README).
  return req;
}

const LEVEL_OUT: Partial<Record<Effort, string>> = { minimal: "MINIMAL", low: "LOW", medium: "MEDIUM", high: "HIGH" };

export function buildGeminiRequest(req: CanonicalRequest): Record<string, unknown> {
  const contents: Json[] = [];
  const names = new Map<string, string>(); // tool call id → function name
  for (const m of req.messages) {
    if (m.role === "user") {
      contents.push({
        role: "user",
        parts: m.content.map((p, j) => {
          if (p.type === "text") return { text: p.text };
          if (p.source.kind === "url")
            throw new TranslationError(
              `${m.path}.content[${j}]`,
              "an image URL cannot be sent to a Gemini model (Gemini takes images inline); send it as a data: URL / base64",
            );
          return { inlineData: { mimeType: p.source.mediaType, data: p.source.data } };
        }),
      });
    } else if (m.role === "assistant") {
      const parts: Json[] = [];
      let calls = 0;
      m.content.forEach((p) => {
        if (p.type === "text") parts.push({ text: p.text });
        else if (p.type === "tool_call") {
          names.set(p.id, p.name);
          parts.push({ functionCall: { name: p.name, args: parseArguments(p.arguments, `${m.path}.tool_calls[${calls++}].function.arguments`) } });
        }
        // Another provider's reasoning cannot be replayed as Gemini thoughts (README).
      });
      if (parts.length) contents.push({ role: "model", parts });
    } else {
      const r = m.content;
      const name = names.get(r.toolCallId);
      if (!name)
        throw new TranslationError(
          `${m.path}.tool_call_id`,
          `${JSON.stringify(r.toolCallId)} matches no earlier tool call, and Gemini needs the function's name`,
        );
      const text = r.content
        .map((p, j) => {
          if (p.type !== "text") throw new TranslationError(`${m.path}.content[${j}]`, "an image in a tool result cannot be sent to a Gemini model");
          return p.text;
        })
        .join("");
      const part = { functionResponse: { name, response: r.isError ? { error: text } : { output: text } } };
      const prev = contents[contents.length - 1];
      if (prev?.toolTurn === true) (prev.parts as Json[]).push(part);
      else contents.push({ role: "user", parts: [part], toolTurn: true });
    }
  }
  for (const c of contents) delete c.toolTurn;

  const body: Record<string, unknown> = { contents };
  if (req.system.length) body.systemInstruction = { parts: req.system.map((p) => ({ text: p.text })) };
  if (req.tools?.length) {
    body.tools = [
      {
        functionDeclarations: req.tools.map((t) => {
          if (t.strict)
            throw new TranslationError(`${t.path}.strict`, "cannot be sent to a Gemini model: Gemini does not guarantee arguments follow the schema");
          // parametersJsonSchema takes the JSON Schema as it is, unlike the OpenAPI-style `parameters`.
          return { name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), parametersJsonSchema: t.parameters };
        }),
      },
    ];
  }
  if (req.toolChoice) {
    const c = req.toolChoice;
    const config: Json = { mode: c.type === "auto" ? "AUTO" : c.type === "none" ? "NONE" : "ANY" };
    if (c.type === "tool") config.allowedFunctionNames = [c.name];
    body.toolConfig = { functionCallingConfig: config };
  }
  if (req.parallelToolCalls === false) throw cannotSend(req, "parallelToolCalls", "gemini", "Gemini cannot be limited to one function call per turn");

  const gen: Json = {};
  if (req.maxTokens !== undefined) gen.maxOutputTokens = req.maxTokens;
  if (req.temperature !== undefined) gen.temperature = req.temperature;
  if (req.topP !== undefined) gen.topP = req.topP;
  if (req.topK !== undefined) gen.topK = req.topK;
  if (req.stop?.length) gen.stopSequences = req.stop;
  if (req.presencePenalty !== undefined) gen.presencePenalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) gen.frequencyPenalty = req.frequencyPenalty;
  if (req.seed !== undefined) gen.seed = req.seed;
  const f = req.responseFormat;
  if (f && f.type !== "text") {
    gen.responseMimeType = "application/json";
    if (f.type === "json_schema") {
      if (f.description !== undefined)
        throw new TranslationError(
          `${req.paths.responseFormat ?? "responseFormat"}.json_schema.description`,
          "cannot be sent to a Gemini model (its response schema takes a schema only)",
        );
      gen.responseJsonSchema = f.schema;
    }
  }
  const thinkingConfig: Json = {};
  const t = req.thinking;
  if (t?.type === "disabled") thinkingConfig.thinkingBudget = 0;
  else if (t?.type === "enabled" && t.budgetTokens !== undefined) thinkingConfig.thinkingBudget = t.budgetTokens;
  else if (req.effort !== undefined && req.effort !== "none") {
    const level = LEVEL_OUT[req.effort];
    if (!level) throw cannotSend(req, "effort", "gemini", `Gemini's highest thinking level is "high"`);
    thinkingConfig.thinkingLevel = level;
  } else if (t?.type === "enabled") thinkingConfig.thinkingBudget = -1; // dynamic: the model decides
  if (req.includeThoughts) thinkingConfig.includeThoughts = true;
  if (Object.keys(thinkingConfig).length) gen.thinkingConfig = thinkingConfig;
  if (Object.keys(gen).length) body.generationConfig = gen;
  return body;
}

// ---------------------------------------------------------------------------------------------
// Responses

const FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT"]);

function stopIn(reason: unknown, sawToolCall: boolean): StopReason {
  if (reason === "STOP") return sawToolCall ? "tool_use" : "end_turn";
  if (reason === "MAX_TOKENS") return "max_tokens";
  if (typeof reason === "string" && FILTERED.has(reason)) return "content_filter";
  return "other";
}

const STOP_OUT: Record<StopReason, string> = {
  end_turn: "STOP",
  stop_sequence: "STOP",
  tool_use: "STOP",
  max_tokens: "MAX_TOKENS",
  content_filter: "SAFETY",
  refusal: "SAFETY",
  other: "OTHER",
};

/** Gemini counts cached tokens inside promptTokenCount and thoughts apart from candidates. */
export function geminiUsage(u: unknown): Usage {
  if (!isObject(u)) return { ...ZERO_USAGE };
  const cached = count(u.cachedContentTokenCount);
  const thoughts = count(u.thoughtsTokenCount);
  const usage: Usage = {
    inputTokens: Math.max(0, count(u.promptTokenCount) - cached),
    outputTokens: count(u.candidatesTokenCount) + thoughts,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
  };
  if (thoughts > 0) usage.reasoningTokens = thoughts;
  return usage;
}

function usageBody(u: Usage): Json {
  const prompt = totalInput(u);
  const thoughts = u.reasoningTokens ?? 0;
  const out: Json = { promptTokenCount: prompt, candidatesTokenCount: u.outputTokens - thoughts, totalTokenCount: prompt + u.outputTokens };
  if (u.cacheReadTokens) out.cachedContentTokenCount = u.cacheReadTokens;
  if (thoughts) out.thoughtsTokenCount = thoughts;
  return out;
}

/** Gemini function calls may carry no id; other protocols need one to pair the result. */
function callId(fc: Json, responseId: string, n: number): string {
  if (typeof fc.id === "string" && fc.id !== "") return fc.id;
  const base = responseId.replace(/[^A-Za-z0-9_-]/g, "_") || globalThis.crypto.randomUUID().replace(/-/g, "").slice(0, 20);
  return `call_${base}_${n}`;
}

export function parseGeminiResponse(body: unknown): CanonicalResponse {
  const b = asObject(body, "response");
  const responseId = typeof b.responseId === "string" ? b.responseId : "";
  const candidate = Array.isArray(b.candidates) && isObject(b.candidates[0]) ? b.candidates[0] : null;
  const content: ResponsePart[] = [];
  let calls = 0;
  const parts = candidate && isObject(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
  for (const raw of parts) {
    if (!isObject(raw)) continue;
    if (isObject(raw.functionCall)) {
      const fc = raw.functionCall;
      content.push({ type: "tool_call", id: callId(fc, responseId, calls++), name: String(fc.name ?? ""), arguments: JSON.stringify(fc.args ?? {}) });
    } else if (typeof raw.text === "string") content.push(raw.thought === true ? { type: "thinking", text: raw.text } : { type: "text", text: raw.text });
  }
  const blocked = !candidate && isObject(b.promptFeedback) && typeof b.promptFeedback.blockReason === "string";
  return {
    id: responseId,
    model: String(b.modelVersion ?? ""),
    content,
    stopReason: blocked ? "content_filter" : stopIn(candidate?.finishReason, calls > 0),
    usage: geminiUsage(b.usageMetadata),
  };
}

function responseParts(content: ResponsePart[]): Json[] {
  return content.map((p, i) => {
    if (p.type === "text") return { text: p.text };
    if (p.type === "tool_call") return { functionCall: { id: p.id, name: p.name, args: parseArguments(p.arguments, `content[${i}].arguments`) } };
    return { text: p.text, thought: true };
  });
}

export function buildGeminiResponse(res: CanonicalResponse, ctx: { model: string; id: string }): Record<string, unknown> {
  return {
    candidates: [{ content: { parts: responseParts(res.content), role: "model" }, finishReason: STOP_OUT[res.stopReason], index: 0 }],
    usageMetadata: usageBody(res.usage),
    modelVersion: ctx.model,
    responseId: ctx.id,
  };
}

// ---------------------------------------------------------------------------------------------
// Streams

function createDecoder() {
  let started = false;
  let next = 0;
  let open: { index: number; thought: boolean } | null = null;
  let calls = 0;
  let responseId = "";
  let usage: Usage | undefined;
  let finished = false;
  let stopped = false;

  const close = (out: CanonicalStreamEvent[]) => {
    if (open) out.push({ type: "block_stop", index: open.index });
    open = null;
  };
  return {
    push(ev: { event?: string; data: string }): CanonicalStreamEvent[] {
      const out: CanonicalStreamEvent[] = [];
      const chunk = parseEventJson(ev.data);
      if (!chunk || stopped) return out;
      if (isObject(chunk.error)) {
        out.push({ type: "error", errorType: String(chunk.error.status ?? "INTERNAL"), message: String(chunk.error.message ?? "") });
        return out;
      }
      if (isObject(chunk.usageMetadata)) usage = geminiUsage(chunk.usageMetadata);
      if (!started) {
        started = true;
        responseId = typeof chunk.responseId === "string" ? chunk.responseId : "";
        const first: CanonicalStreamEvent = { type: "message_start", id: responseId, model: String(chunk.modelVersion ?? "") };
        if (usage) first.usage = { inputTokens: usage.inputTokens, cacheReadTokens: usage.cacheReadTokens };
        out.push(first);
      }
      const candidate = Array.isArray(chunk.candidates) && isObject(chunk.candidates[0]) ? chunk.candidates[0] : null;
      const parts = candidate && isObject(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
      for (const raw of parts) {
        if (!isObject(raw)) continue;
        if (isObject(raw.functionCall)) {
          // Gemini sends a call whole: start, all of its arguments, stop.
          close(out);
          const index = next++;
          const fc = raw.functionCall;
          out.push({ type: "tool_call_start", index, id: callId(fc, responseId, calls++), name: String(fc.name ?? "") });
          out.push({ type: "tool_call_delta", index, argumentsDelta: JSON.stringify(fc.args ?? {}) });
          out.push({ type: "block_stop", index });
        } else if (typeof raw.text === "string" && raw.text !== "") {
          const thought = raw.thought === true;
          if (!open || open.thought !== thought) {
            close(out);
            open = { index: next++, thought };
          }
          out.push(thought ? { type: "thinking_delta", index: open.index, text: raw.text } : { type: "text_delta", index: open.index, text: raw.text });
        }
      }
      const blocked = !candidate && isObject(chunk.promptFeedback) && typeof chunk.promptFeedback.blockReason === "string";
      if (!finished && (typeof candidate?.finishReason === "string" || blocked)) {
        finished = true;
        close(out);
        out.push({ type: "message_delta", stopReason: blocked ? "content_filter" : stopIn(candidate?.finishReason, calls > 0), ...(usage ? { usage } : {}) });
      } else if (finished && isObject(chunk.usageMetadata) && usage) {
        out.push({ type: "message_delta", usage });
      }
      return out;
    },
    end(): CanonicalStreamEvent[] {
      // Gemini has no closing event: the stream is complete when a finish reason arrived.
      if (!finished || stopped) return [];
      stopped = true;
      return [{ type: "message_stop" }];
    },
  };
}

function createEncoder(ctx: StreamEncodeContext) {
  let usage: Usage = { ...ZERO_USAGE };
  let stopReason: StopReason = "end_turn";
  let done = false;
  const calls = new Map<number, { id: string; name: string; args: string }>();
  const frame = (candidate: Json, withUsage = false): string =>
    sse(
      { candidates: [{ ...candidate, index: 0 }], ...(withUsage ? { usageMetadata: usageBody(usage) } : {}), modelVersion: ctx.model, responseId: ctx.id },
      { eol: "\r\n" },
    );
  const parts = (p: Json[]): Json => ({ content: { parts: p, role: "model" } });
  const flushCall = (index: number): string => {
    const call = calls.get(index);
    if (!call) return "";
    calls.delete(index);
    return frame(parts([{ functionCall: { id: call.id, name: call.name, args: parseArguments(call.args, "functionCall.args") } }]));
  };
  return {
    push(e: CanonicalStreamEvent): string {
      if (done) return "";
      switch (e.type) {
        case "message_start":
          usage = mergeUsage(usage, e.usage);
          return "";
        case "text_delta":
          return frame(parts([{ text: e.text }]));
        case "thinking_delta":
          return frame(parts([{ text: e.text, thought: true }]));
        case "tool_call_start":
          // Gemini delivers a function call whole, so its arguments are gathered until the block ends.
          calls.set(e.index, { id: e.id, name: e.name, args: "" });
          return "";
        case "tool_call_delta": {
          const call = calls.get(e.index);
          if (call) call.args += e.argumentsDelta;
          return "";
        }
        case "block_stop":
          return flushCall(e.index);
        case "message_delta":
          usage = mergeUsage(usage, e.usage);
          if (e.stopReason) stopReason = e.stopReason;
          return "";
        case "message_stop": {
          done = true;
          let out = "";
          for (const index of [...calls.keys()]) out += flushCall(index);
          return out + frame({ ...parts([{ text: "" }]), finishReason: STOP_OUT[stopReason] }, true);
        }
        case "error":
          done = true;
          return sse({ error: { code: 500, message: e.message, status: e.errorType } }, { eol: "\r\n" });
        default:
          return "";
      }
    },
    end: (): string => "",
  };
}

export const geminiAdapter: ProtocolAdapter = {
  protocol: "gemini",
  parseRequest: parseGeminiRequest,
  buildRequest: (req) => buildGeminiRequest(req),
  parseResponse: parseGeminiResponse,
  buildResponse: buildGeminiResponse,
  createStreamDecoder: createDecoder,
  createStreamEncoder: createEncoder,
};
