/** OpenAI Chat Completions wire format: `POST /v1/chat/completions`, `GET /v1/models`. */
import { openaiModel, openaiModelList } from "./models";
import { mockReplyPiecesWithoutEnd, planReply, type ReplyPlan, type ToolChoice, type ToolDefinition } from "./reply";
import { dataFrame, OPENAI_DONE_FRAME, SSE_CONTENT_TYPE } from "./sse";
import { mockOutputBudget, mockPromptTokens } from "./tokens";
import type { Reply, RequestContext } from "./types";
import { asArray, asNumber, asRecord, asString, type JsonObject } from "./util";

const FINGERPRINT = "fp_mock";

export function openaiError(
  status: number,
  message: string,
  detail: { type?: string; code?: string | null; param?: string | null } = {},
  headers?: Record<string, string>,
): Reply {
  const type = detail.type ?? (status === 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error");
  const code = detail.code !== undefined ? detail.code : status === 429 ? "rate_limit_exceeded" : null;
  return {
    type: "json",
    status,
    body: { error: { message, type, param: detail.param ?? null, code } },
    headers,
  };
}

export function openaiMissingKey(): Reply {
  return openaiError(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
  );
}

export function openaiModels(ctx: RequestContext): Reply {
  return { type: "json", status: 200, body: openaiModelList(ctx.models.openai) };
}

export function openaiModelById(ctx: RequestContext, id: string): Reply {
  if (!ctx.models.openai.includes(id)) {
    return openaiError(404, `The model '${id}' does not exist`, { code: "model_not_found", param: "model" });
  }
  return { type: "json", status: 200, body: openaiModel(id) };
}

export function openaiChat(ctx: RequestContext): Reply {
  const body = asRecord(ctx.body);
  if (!body) return openaiError(400, "We could not parse the JSON body of your request.");
  const model = asString(body.model);
  if (!model) return openaiError(400, "you must provide a model parameter");
  const messages = asArray(body.messages).map((m) => asRecord(m) ?? {});
  if (messages.length === 0) {
    return openaiError(400, "Missing required parameter: 'messages'.", { code: "missing_required_parameter", param: "messages" });
  }

  const tools = openaiTools(body.tools);
  const last = messages[messages.length - 1] ?? {};
  const promptTokens = mockPromptTokens([...messages.map(messageText), ...tools.map((t) => `${t.name} ${t.description}`)]);
  const requestedMax = asNumber(body.max_completion_tokens) ?? asNumber(body.max_tokens);
  const plan = planReply({
    lastText: messageText(last),
    lastIsUserText: last.role === "user",
    tools,
    toolChoice: openaiToolChoice(body.tool_choice),
    outputTokens: mockOutputBudget(ctx.knobs.outputTokens ?? requestedMax),
    schema: asRecord(asRecord(body.response_format)?.json_schema)?.schema,
  });

  const id = `chatcmpl-mock${String(ctx.seq).padStart(10, "0")}`;
  const created = Math.floor(Date.now() / 1000);
  const finishReason = plan.kind === "tool" ? "tool_calls" : ctx.knobs.truncated ? "length" : "stop";
  const usage = openaiUsage(promptTokens, plan.outputTokens);
  if (body.stream !== true) {
    const message =
      plan.kind === "tool"
        ? { role: "assistant", content: null, refusal: null, annotations: [], tool_calls: [toolCall(ctx.seq, plan)] }
        : { role: "assistant", content: plan.text, refusal: null, annotations: [] };
    return {
      type: "json",
      status: 200,
      body: {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
        usage,
        service_tier: "default",
        system_fingerprint: FINGERPRINT,
      },
    };
  }

  const includeUsage = asRecord(body.stream_options)?.include_usage === true;
  // Every chunk shares this envelope; only the delta and finish_reason differ.
  const head = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"service_tier":"default","system_fingerprint":"${FINGERPRINT}","choices":[{"index":0,"delta":`;
  // With include_usage, OpenAI sends `"usage":null` on every chunk but the usage chunk.
  const tail = includeUsage ? `}],"usage":null}` : `}]}`;
  const chunk = (delta: string, finish: string | null) =>
    dataFrame(`${head}${delta},"logprobs":null,"finish_reason":${finish === null ? "null" : `"${finish}"`}${tail}`);

  const usageFrame = (u: ReturnType<typeof openaiUsage>) =>
    dataFrame(
      JSON.stringify({ id, object: "chat.completion.chunk", created, model, service_tier: "default", system_fingerprint: FINGERPRINT, choices: [], usage: u }),
    );

  if (plan.kind === "text" && ctx.knobs.streamBytes !== undefined && ctx.knobs.streamBytes > 0) {
    const usageOf = includeUsage ? (words: number) => usageFrame(openaiUsage(promptTokens, words)) : null;
    return {
      type: "stream",
      contentType: SSE_CONTENT_TYPE,
      frames: longTextFrames(messageText(last), ctx.knobs.streamBytes, chunk, finishReason, usageOf),
    };
  }

  const frames: string[] = [];
  if (plan.kind === "tool") {
    const call = toolCall(ctx.seq, plan);
    const opening = { index: 0, id: call.id, type: "function", function: { name: plan.name, arguments: "" } };
    frames.push(chunk(`{"role":"assistant","content":null,"refusal":null,"tool_calls":[${JSON.stringify(opening)}]}`, null));
    for (const piece of plan.pieces) {
      frames.push(chunk(`{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(piece)}}}]}`, null));
    }
  } else {
    frames.push(chunk(`{"role":"assistant","content":"","refusal":null}`, null));
    for (const piece of plan.pieces) frames.push(chunk(`{"content":${JSON.stringify(piece)}}`, null));
  }
  frames.push(chunk("{}", finishReason));
  if (includeUsage) frames.push(usageFrame(usage));
  frames.push(OPENAI_DONE_FRAME);
  return { type: "stream", contentType: SSE_CONTENT_TYPE, frames };
}

/**
 * The `streamBytes` knob's reply: words until the frames sent reach `minBytes`, generated as the
 * connection takes them, then the finish chunk and (asked for) the usage of every word sent.
 */
function* longTextFrames(
  lastText: string,
  minBytes: number,
  chunk: (delta: string, finish: string | null) => string,
  finish: string,
  usage: ((completionTokens: number) => string) | null,
): Generator<string> {
  let bytes = 0;
  let words = 0;
  const first = chunk(`{"role":"assistant","content":"","refusal":null}`, null);
  bytes += Buffer.byteLength(first);
  yield first;
  for (const piece of mockReplyPiecesWithoutEnd(lastText)) {
    if (bytes >= minBytes && words > 0) break;
    const frame = chunk(`{"content":${JSON.stringify(piece)}}`, null);
    bytes += Buffer.byteLength(frame);
    words += 1;
    yield frame;
  }
  yield chunk("{}", finish);
  if (usage) yield usage(words);
  yield OPENAI_DONE_FRAME;
}

function openaiUsage(promptTokens: number, completionTokens: number) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function toolCall(seq: number, plan: Extract<ReplyPlan, { kind: "tool" }>) {
  return {
    id: `call_mock${String(seq).padStart(10, "0")}`,
    type: "function",
    function: { name: plan.name, arguments: plan.argumentsJson },
  };
}

/** The text a message contributes to the prompt: its text parts, refusals and tool calls. */
function messageText(message: JsonObject): string {
  const parts: string[] = [];
  const content = message.content;
  if (typeof content === "string") parts.push(content);
  for (const part of asArray(content)) {
    const p = asRecord(part);
    const text = asString(p?.text) ?? asString(p?.refusal);
    if (text !== undefined) parts.push(text);
  }
  for (const call of asArray(message.tool_calls)) {
    const fn = asRecord(asRecord(call)?.function);
    if (fn) parts.push(`${asString(fn.name) ?? ""} ${asString(fn.arguments) ?? ""}`);
  }
  const legacyCall = asRecord(message.function_call);
  if (legacyCall) parts.push(`${asString(legacyCall.name) ?? ""} ${asString(legacyCall.arguments) ?? ""}`);
  return parts.join(" ");
}

function openaiTools(raw: unknown): Array<ToolDefinition & { description: string }> {
  const tools: Array<ToolDefinition & { description: string }> = [];
  for (const entry of asArray(raw)) {
    const fn = asRecord(asRecord(entry)?.function);
    const name = asString(fn?.name);
    if (name) tools.push({ name, description: asString(fn?.description) ?? "", schema: fn?.parameters });
  }
  return tools;
}

function openaiToolChoice(raw: unknown): ToolChoice {
  if (raw === "none") return { mode: "none" };
  if (raw === "required") return { mode: "required" };
  const name = asString(asRecord(asRecord(raw)?.function)?.name);
  return name ? { mode: "required", name } : { mode: "auto" };
}
