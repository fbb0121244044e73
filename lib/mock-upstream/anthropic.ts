/** Anthropic Messages wire format: `POST /v1/messages`, `/v1/messages/count_tokens`, `GET /v1/models`. */
import { anthropicModel, anthropicModelList } from "./models";
import { planReply, type ToolChoice, type ToolDefinition } from "./reply";
import { eventFrame, SSE_CONTENT_TYPE } from "./sse";
import { mockOutputBudget, mockPromptTokens } from "./tokens";
import type { Reply, RequestContext } from "./types";
import { asArray, asNumber, asRecord, asString, type JsonObject } from "./util";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

export function anthropicError(status: number, message: string, headers?: Record<string, string>): Reply {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
  return { type: "json", status, body: { type: "error", error: { type, message } }, headers };
}

export function anthropicMissingKey(): Reply {
  return anthropicError(401, "x-api-key header is required");
}

export function anthropicModels(ctx: RequestContext): Reply {
  return { type: "json", status: 200, body: anthropicModelList(ctx.models.anthropic, ctx.query) };
}

export function anthropicModelById(ctx: RequestContext, id: string): Reply {
  if (!ctx.models.anthropic.includes(id)) return anthropicError(404, `model: ${id}`);
  return { type: "json", status: 200, body: anthropicModel(id) };
}

interface ParsedRequest {
  body: JsonObject;
  model: string;
  messages: JsonObject[];
  tools: Array<ToolDefinition & { description: string }>;
  promptTokens: number;
}

/** Validates the fields both endpoints require and counts the prompt. */
function parse(ctx: RequestContext): ParsedRequest | Reply {
  const body = asRecord(ctx.body);
  if (!body) return anthropicError(400, "Request body must be a JSON object");
  const model = asString(body.model);
  if (!model) return anthropicError(400, "model: Field required");
  if (!Array.isArray(body.messages)) return anthropicError(400, "messages: Field required");
  const messages = body.messages.map((m) => asRecord(m) ?? {});
  if (messages.length === 0) return anthropicError(400, "messages: at least one message is required");
  const tools = anthropicTools(body.tools);
  const texts = messages.map((m) => contentText(m.content));
  const system = contentText(body.system);
  if (body.system !== undefined) texts.unshift(system);
  for (const tool of tools) texts.push(`${tool.name} ${tool.description}`);
  return { body, model, messages, tools, promptTokens: mockPromptTokens(texts) };
}

export function anthropicCountTokens(ctx: RequestContext): Reply {
  const parsed = parse(ctx);
  if ("type" in parsed) return parsed;
  return { type: "json", status: 200, body: { input_tokens: parsed.promptTokens } };
}

export function anthropicMessages(ctx: RequestContext): Reply {
  const parsed = parse(ctx);
  if ("type" in parsed) return parsed;
  const { body, model, messages, tools, promptTokens } = parsed;
  const maxTokens = asNumber(body.max_tokens);
  if (maxTokens === undefined) return anthropicError(400, "max_tokens: Field required");

  const last = messages[messages.length - 1] ?? {};
  const lastHasToolResult = asArray(last.content).some((b) => asRecord(b)?.type === "tool_result");
  const plan = planReply({
    lastText: contentText(last.content),
    lastIsUserText: last.role === "user" && !lastHasToolResult,
    tools,
    toolChoice: anthropicToolChoice(body.tool_choice),
    outputTokens: mockOutputBudget(ctx.knobs.outputTokens ?? maxTokens),
    // Structured outputs: `output_config.format` (the older beta spelled it `output_format`).
    schema: asRecord(asRecord(body.output_config)?.format ?? body.output_format)?.schema,
  });

  const seq = String(ctx.seq).padStart(12, "0");
  const id = `msg_mock${seq}`;
  const stopReason = plan.kind === "tool" ? "tool_use" : ctx.knobs.truncated ? "max_tokens" : "end_turn";
  const toolId = `toolu_mock${seq}`;
  const usage = (outputTokens: number) => ({
    input_tokens: promptTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: "standard",
  });

  if (body.stream !== true) {
    const content = plan.kind === "tool" ? [{ type: "tool_use", id: toolId, name: plan.name, input: plan.args }] : [{ type: "text", text: plan.text }];
    return {
      type: "json",
      status: 200,
      body: {
        id,
        type: "message",
        role: "assistant",
        model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage: usage(plan.outputTokens),
      },
    };
  }

  const frames: string[] = [];
  const event = (name: string, data: unknown) => frames.push(eventFrame(name, JSON.stringify(data)));
  // Like the real API, message_start carries the input count and a placeholder output count of 1;
  // the final output count arrives in message_delta.
  event("message_start", {
    type: "message_start",
    message: {
      id,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usage(1),
    },
  });
  if (plan.kind === "tool") {
    event("content_block_start", {
      type: "content_block_start",
      index: 0,
      content_block: { type: "tool_use", id: toolId, name: plan.name, input: {} },
    });
    event("ping", { type: "ping" });
    for (const piece of plan.pieces) {
      frames.push(
        eventFrame(
          "content_block_delta",
          `{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(piece)}}}`,
        ),
      );
    }
  } else {
    event("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    event("ping", { type: "ping" });
    for (const piece of plan.pieces) {
      frames.push(eventFrame("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(piece)}}}`));
    }
  }
  event("content_block_stop", { type: "content_block_stop", index: 0 });
  event("message_delta", {
    type: "message_delta",
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: {
      input_tokens: promptTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: plan.outputTokens,
    },
  });
  event("message_stop", { type: "message_stop" });
  return { type: "stream", contentType: SSE_CONTENT_TYPE, frames };
}

/** Text of a `content` (string or blocks) or `system` field: text, tool calls and tool results. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  const parts: string[] = [];
  for (const raw of asArray(content)) {
    const block = asRecord(raw);
    if (!block) continue;
    switch (block.type) {
      case "text":
        parts.push(asString(block.text) ?? "");
        break;
      case "thinking":
        parts.push(asString(block.thinking) ?? "");
        break;
      case "tool_use":
        parts.push(`${asString(block.name) ?? ""} ${JSON.stringify(block.input ?? {})}`);
        break;
      case "tool_result":
        parts.push(contentText(block.content));
        break;
    }
  }
  return parts.join(" ");
}

/** Client tools (those with an input schema); server tools such as web search are never called. */
function anthropicTools(raw: unknown): Array<ToolDefinition & { description: string }> {
  const tools: Array<ToolDefinition & { description: string }> = [];
  for (const entry of asArray(raw)) {
    const tool = asRecord(entry);
    const name = asString(tool?.name);
    if (name && tool?.input_schema !== undefined) {
      tools.push({ name, description: asString(tool.description) ?? "", schema: tool.input_schema });
    }
  }
  return tools;
}

function anthropicToolChoice(raw: unknown): ToolChoice {
  const choice = asRecord(raw);
  switch (choice?.type) {
    case "none":
      return { mode: "none" };
    case "any":
      return { mode: "required" };
    case "tool":
      return { mode: "required", name: asString(choice.name) };
    default:
      return { mode: "auto" };
  }
}
