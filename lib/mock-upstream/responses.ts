/** OpenAI Responses API wire format: `POST /v1/responses`, streamed (named SSE events) or not. */
import { openaiError } from "./openai";
import { planReply, type ReplyPlan, type ToolChoice, type ToolDefinition } from "./reply";
import { eventFrame, SSE_CONTENT_TYPE } from "./sse";
import { mockOutputBudget, mockPromptTokens } from "./tokens";
import type { Reply, RequestContext } from "./types";
import { asArray, asNumber, asRecord, asString, type JsonObject } from "./util";

export function openaiResponses(ctx: RequestContext): Reply {
  const body = asRecord(ctx.body);
  if (!body) return openaiError(400, "We could not parse the JSON body of your request.");
  const model = asString(body.model);
  if (!model) return openaiError(400, "Missing required parameter: 'model'.", { code: "missing_required_parameter", param: "model" });
  if (body.input === undefined) return openaiError(400, "Missing required parameter: 'input'.", { code: "missing_required_parameter", param: "input" });
  const items: JsonObject[] =
    typeof body.input === "string" ? [{ type: "message", role: "user", content: body.input }] : asArray(body.input).map((i) => asRecord(i) ?? {});

  const tools = responsesTools(body.tools);
  const texts = items.filter((i) => i.type !== "reasoning").map(itemText);
  if (typeof body.instructions === "string") texts.unshift(body.instructions);
  for (const tool of tools) texts.push(`${tool.name} ${tool.description}`);
  const last = items[items.length - 1] ?? {};
  const format = asRecord(asRecord(body.text)?.format);
  const plan = planReply({
    lastText: itemText(last),
    lastIsUserText: (last.type ?? "message") === "message" && last.role === "user",
    tools,
    toolChoice: responsesToolChoice(body.tool_choice),
    outputTokens: mockOutputBudget(ctx.knobs.outputTokens ?? asNumber(body.max_output_tokens)),
    schema: format?.type === "json_schema" ? format.schema : undefined,
  });

  const seq = String(ctx.seq).padStart(10, "0");
  const id = `resp_mock${seq}`;
  const itemId = plan.kind === "tool" ? `fc_mock${seq}` : `msg_mock${seq}`;
  const createdAt = Math.floor(Date.now() / 1000);
  const incomplete = plan.kind === "text" && ctx.knobs.truncated === true;
  const promptTokens = mockPromptTokens(texts);
  const usage = {
    input_tokens: promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: plan.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: promptTokens + plan.outputTokens,
  };
  const response = (status: string, output: unknown[], withUsage: boolean) => ({
    id,
    object: "response",
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: format ?? { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: asArray(body.tools),
    top_p: body.top_p ?? 1,
    truncation: "disabled",
    usage: withUsage ? usage : null,
    metadata: {},
  });
  const item = outputItem(plan, itemId, seq, "completed");
  const finalStatus = incomplete ? "incomplete" : "completed";
  if (body.stream !== true) return { type: "json", status: 200, body: response(finalStatus, [item], true) };

  let n = 0;
  const frame = (type: string, fields: Record<string, unknown>) => eventFrame(type, JSON.stringify({ type, sequence_number: n++, ...fields }));
  const frames = [
    frame("response.created", { response: response("in_progress", [], false) }),
    frame("response.in_progress", { response: response("in_progress", [], false) }),
  ];
  frames.push(frame("response.output_item.added", { output_index: 0, item: outputItem(plan, itemId, seq, "in_progress") }));
  if (plan.kind === "tool") {
    for (const delta of plan.pieces) frames.push(frame("response.function_call_arguments.delta", { item_id: itemId, output_index: 0, delta }));
    frames.push(frame("response.function_call_arguments.done", { item_id: itemId, output_index: 0, name: plan.name, arguments: plan.argumentsJson }));
  } else {
    const at = { item_id: itemId, output_index: 0, content_index: 0 };
    frames.push(frame("response.content_part.added", { ...at, part: outputText("") }));
    for (const delta of plan.pieces) frames.push(frame("response.output_text.delta", { ...at, delta, logprobs: [] }));
    frames.push(frame("response.output_text.done", { ...at, text: plan.text, logprobs: [] }));
    frames.push(frame("response.content_part.done", { ...at, part: outputText(plan.text) }));
  }
  frames.push(frame("response.output_item.done", { output_index: 0, item }));
  frames.push(frame(`response.${finalStatus}`, { response: response(finalStatus, [item], true) }));
  return { type: "stream", contentType: SSE_CONTENT_TYPE, frames };
}

const outputText = (text: string) => ({ type: "output_text", annotations: [], logprobs: [], text });

function outputItem(plan: ReplyPlan, id: string, seq: string, status: "in_progress" | "completed") {
  if (plan.kind === "tool") {
    return { id, type: "function_call", status, arguments: status === "completed" ? plan.argumentsJson : "", call_id: `call_mock${seq}`, name: plan.name };
  }
  return { id, type: "message", status, role: "assistant", content: status === "completed" ? [outputText(plan.text)] : [] };
}

/** The text an input item contributes to the prompt: message text, a call's name and arguments, a call's output. */
function itemText(item: JsonObject): string {
  if (item.type === "function_call") return `${asString(item.name) ?? ""} ${asString(item.arguments) ?? ""}`;
  const content = item.type === "function_call_output" ? item.output : item.content;
  if (typeof content === "string") return content;
  return asArray(content)
    .map((p) => asString(asRecord(p)?.text) ?? "")
    .filter((t) => t !== "")
    .join(" ");
}

/** Function tools, and the functions of `namespace` groups under their own names. */
function responsesTools(raw: unknown): Array<ToolDefinition & { description: string }> {
  const tools: Array<ToolDefinition & { description: string }> = [];
  for (const entry of asArray(raw)) {
    const tool = asRecord(entry);
    const members = tool?.type === "namespace" ? asArray(tool.tools).map((m) => asRecord(m)) : [tool];
    for (const fn of members) {
      const name = asString(fn?.name);
      if (fn?.type === "function" && name) tools.push({ name, description: asString(fn.description) ?? "", schema: fn.parameters });
    }
  }
  return tools;
}

function responsesToolChoice(raw: unknown): ToolChoice {
  if (raw === "none") return { mode: "none" };
  if (raw === "required") return { mode: "required" };
  const choice = asRecord(raw);
  const name = choice?.type === "function" ? asString(choice.name) : undefined;
  return name ? { mode: "required", name } : { mode: "auto" };
}
