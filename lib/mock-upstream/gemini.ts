/**
 * Gemini API wire format: `POST /v1beta/models/{model}:generateContent`, `:streamGenerateContent`
 * (SSE with `alt=sse`, otherwise one JSON array written element by element), `:countTokens`, and
 * `GET /v1beta/models`. Request fields are read in camelCase or snake_case, as the REST API accepts both.
 */
import { geminiModel, geminiModelList } from "./models";
import { planReply, type ToolChoice, type ToolDefinition } from "./reply";
import { crlfDataFrame, SSE_CONTENT_TYPE } from "./sse";
import { mockOutputBudget, mockPromptTokens } from "./tokens";
import type { Reply, RequestContext } from "./types";
import { asArray, asNumber, asRecord, asString, pick, type JsonObject } from "./util";

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export function geminiError(status: number, message: string, headers?: Record<string, string>): Reply {
  const name = STATUS_NAMES[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION");
  return { type: "json", status, body: { error: { code: status, message, status: name } }, headers };
}

export function geminiMissingKey(): Reply {
  return geminiError(
    401,
    "Request is missing required authentication credential. Expected OAuth 2 access token, API key, or other valid authentication credential.",
  );
}

export function geminiModels(ctx: RequestContext): Reply {
  return { type: "json", status: 200, body: geminiModelList(ctx.models.gemini) };
}

export function geminiModelById(ctx: RequestContext, id: string): Reply {
  if (!ctx.models.gemini.includes(id)) return geminiError(404, `models/${id} is not found for API version v1beta.`);
  return { type: "json", status: 200, body: geminiModel(id) };
}

/** The prompt of a generateContent request, as message texts for `mockPromptTokens`. */
function promptTexts(request: JsonObject, contents: JsonObject[]): string[] {
  const texts: string[] = [];
  const system = pick(request, "systemInstruction", "system_instruction");
  if (system !== undefined) texts.push(typeof system === "string" ? system : contentText(asRecord(system) ?? {}));
  for (const content of contents) texts.push(contentText(content));
  for (const tool of geminiTools(request.tools)) texts.push(`${tool.name} ${tool.description}`);
  return texts;
}

export function geminiCountTokens(ctx: RequestContext): Reply {
  const body = asRecord(ctx.body);
  if (!body) return geminiError(400, "Invalid JSON payload received.");
  // Either bare `contents`, or a whole `generateContentRequest` (which may add system and tools).
  const request = asRecord(pick(body, "generateContentRequest", "generate_content_request")) ?? body;
  const contents = asArray(request.contents).map((c) => asRecord(c) ?? {});
  const total = mockPromptTokens(promptTexts(request, contents));
  return {
    type: "json",
    status: 200,
    body: { totalTokens: total, promptTokensDetails: [{ modality: "TEXT", tokenCount: total }] },
  };
}

export function geminiGenerate(ctx: RequestContext, model: string, mode: "unary" | "sse" | "json-stream"): Reply {
  const body = asRecord(ctx.body);
  if (!body) return geminiError(400, "Invalid JSON payload received.");
  const contents = asArray(body.contents).map((c) => asRecord(c) ?? {});
  if (contents.length === 0) return geminiError(400, "* GenerateContentRequest.contents: contents is not specified\n");

  const promptTokens = mockPromptTokens(promptTexts(body, contents));
  const generationConfig = asRecord(pick(body, "generationConfig", "generation_config"));
  const requestedMax = asNumber(pick(generationConfig, "maxOutputTokens", "max_output_tokens"));
  const last = contents[contents.length - 1] ?? {};
  const lastHasFunctionResponse = asArray(last.parts).some((p) => pick(asRecord(p), "functionResponse", "function_response") !== undefined);
  const plan = planReply({
    lastText: contentText(last),
    lastIsUserText: (last.role ?? "user") === "user" && !lastHasFunctionResponse,
    tools: geminiTools(body.tools),
    toolChoice: geminiToolChoice(pick(body, "toolConfig", "tool_config")),
    outputTokens: mockOutputBudget(ctx.knobs.outputTokens ?? requestedMax),
    schema: pick(generationConfig, "responseJsonSchema", "response_json_schema", "responseSchema", "response_schema"),
  });

  const finishReason = plan.kind === "text" && ctx.knobs.truncated ? "MAX_TOKENS" : "STOP";
  const responseId = `mock${String(ctx.seq).padStart(12, "0")}`;
  const usageMetadata = {
    promptTokenCount: promptTokens,
    candidatesTokenCount: plan.outputTokens,
    totalTokenCount: promptTokens + plan.outputTokens,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: promptTokens }],
  };
  const final = (parts: unknown[]) => ({
    candidates: [{ content: { parts, role: "model" }, finishReason, index: 0 }],
    usageMetadata,
    modelVersion: model,
    responseId,
  });

  if (mode === "unary") {
    const parts = plan.kind === "tool" ? [{ functionCall: { name: plan.name, args: plan.args } }] : [{ text: plan.text }];
    return { type: "json", status: 200, body: final(parts) };
  }

  // Chunk JSON texts: one word per chunk; the last chunk also carries finishReason and usage.
  // A function call arrives whole in a single chunk, as Gemini sends it.
  const chunks: string[] = [];
  if (plan.kind === "tool") {
    chunks.push(JSON.stringify(final([{ functionCall: { name: plan.name, args: plan.args } }])));
  } else {
    const head = `{"candidates":[{"content":{"parts":[{"text":`;
    const tail = `}],"role":"model"},"index":0}],"modelVersion":${JSON.stringify(model)},"responseId":"${responseId}"}`;
    const lastIndex = plan.pieces.length - 1;
    plan.pieces.forEach((piece, i) => {
      chunks.push(i === lastIndex ? JSON.stringify(final([{ text: piece }])) : `${head}${JSON.stringify(piece)}${tail}`);
    });
  }

  if (mode === "sse") {
    return { type: "stream", contentType: SSE_CONTENT_TYPE, frames: chunks.map(crlfDataFrame) };
  }
  // Without alt=sse the API streams one JSON array: "[" first, elements separated by ",\r\n", "]" last.
  const frames = chunks.map((chunk, i) => (i === 0 ? "[" : "\n,\r\n") + chunk);
  frames[frames.length - 1] += "\n]";
  return { type: "stream", contentType: "application/json; charset=UTF-8", frames };
}

/** Text of one Content: text parts, function calls and function responses. */
function contentText(content: JsonObject): string {
  const parts: string[] = [];
  for (const raw of asArray(content.parts)) {
    const part = asRecord(raw);
    if (!part) continue;
    const text = asString(part.text);
    if (text !== undefined) parts.push(text);
    const call = asRecord(pick(part, "functionCall", "function_call"));
    if (call) parts.push(`${asString(call.name) ?? ""} ${JSON.stringify(call.args ?? {})}`);
    const response = asRecord(pick(part, "functionResponse", "function_response"));
    if (response) parts.push(`${asString(response.name) ?? ""} ${JSON.stringify(response.response ?? {})}`);
  }
  return parts.join(" ");
}

function geminiTools(raw: unknown): Array<ToolDefinition & { description: string }> {
  const tools: Array<ToolDefinition & { description: string }> = [];
  for (const entry of asArray(raw)) {
    for (const decl of asArray(pick(asRecord(entry), "functionDeclarations", "function_declarations"))) {
      const fn = asRecord(decl);
      const name = asString(fn?.name);
      if (!name) continue;
      tools.push({
        name,
        description: asString(fn?.description) ?? "",
        schema: pick(fn, "parameters", "parametersJsonSchema", "parameters_json_schema"),
      });
    }
  }
  return tools;
}

function geminiToolChoice(raw: unknown): ToolChoice {
  const config = asRecord(pick(asRecord(raw), "functionCallingConfig", "function_calling_config"));
  const mode = asString(config?.mode)?.toUpperCase();
  if (mode === "NONE") return { mode: "none" };
  if (mode === "ANY") {
    const allowed = asArray(pick(config, "allowedFunctionNames", "allowed_function_names"));
    return { mode: "required", name: asString(allowed[0]) };
  }
  return { mode: "auto" };
}
