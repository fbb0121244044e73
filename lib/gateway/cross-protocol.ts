import { GatewayError, renderAnthropicError, renderGeminiError, renderOpenAIError } from "@/lib/errors";
import {
  createStreamTranslator,
  hostedToolTypes,
  namespacedToolNames,
  translateEmbeddingRequest,
  translateEmbeddingResponse,
  TranslationError,
  translateRequest,
  translateResponse,
  type EmbeddingCall,
  type Protocol as WireProtocol,
} from "@/lib/translate";
import type { Protocol } from "./types";
import { isEmbeddingOperation, type Operation } from "./upstream-request";

// Everything the forwarding path needs when the client and the channel speak different
// protocols. Same-protocol traffic never comes here: its bytes pass through unchanged.

/** The wire format of what the client called: its protocol, or OpenAI's Responses API. */
export function clientWire(protocol: Protocol, operation: Operation): WireProtocol {
  return operation === "responses" ? "responses" : protocol;
}

/**
 * What a translated Responses request leaves out and how its tool calls come back: the hosted
 * tools (web_search, file_search, …) that only OpenAI runs, named to the client in
 * x-gatehouse-dropped-tools, and the client's names of its namespaced functions.
 */
export function responsesContext(body: Record<string, unknown>): { droppedTools: string[]; toolNames: ReturnType<typeof namespacedToolNames> } {
  return { droppedTools: hostedToolTypes(body), toolNames: namespacedToolNames(body) };
}

/** Most tool types the dropped-tools header names, and the longest name it gives in full. */
const MAX_DROPPED_NAMED = 16;
const MAX_DROPPED_TYPE_CHARS = 64;

/**
 * The `x-gatehouse-dropped-tools` header's value: the hosted tool types a translated request left
 * out. They are the client's own strings, so anything a header may not carry (controls, non-ASCII)
 * becomes "?", each is cut short, and a long list ends with how many more there were.
 */
export function droppedToolsHeader(types: readonly string[]): string {
  const named = types.slice(0, MAX_DROPPED_NAMED).map((type) => type.slice(0, MAX_DROPPED_TYPE_CHARS).replace(/[^\x20-\x7e]/g, "?"));
  if (types.length > MAX_DROPPED_NAMED) named.push(`(${types.length - MAX_DROPPED_NAMED} more)`);
  return named.join(", ");
}

/** The operation to ask a channel of `protocol` for, given what the client called. */
export function upstreamOperation(clientOperation: Operation, protocol: Protocol, stream: boolean): Operation | null {
  if (isEmbeddingOperation(clientOperation)) {
    // Anthropic makes no embeddings; OpenAI's one call takes a list, as Gemini's batch does.
    if (protocol === "openai") return "embeddings";
    if (protocol === "gemini") return "batch_embed_contents";
    return null;
  }
  if (clientOperation === "count_tokens" || clientOperation === "gemini_count_tokens") {
    if (protocol === "anthropic") return "count_tokens";
    if (protocol === "gemini") return "gemini_count_tokens";
    return null; // OpenAI has no token-counting endpoint
  }
  if (protocol === "openai") return "chat";
  if (protocol === "anthropic") return "messages";
  return stream ? "stream_generate" : "generate";
}

/** Which embedding call the client made, for the embedding translators. */
function embeddingCall(operation: Operation): EmbeddingCall {
  return operation === "embeddings" ? "openai" : operation === "embed_content" ? "gemini_single" : "gemini_batch";
}

/** The client's body for a channel of another protocol, or a 400 naming the field it cannot take. */
export function translateBody(
  from: WireProtocol,
  to: Protocol,
  body: Record<string, unknown>,
  opts: { model: string; upstreamModel: string; stream: boolean; operation: Operation },
): string {
  try {
    if (isEmbeddingOperation(opts.operation)) return JSON.stringify(translateEmbeddingRequest(embeddingCall(opts.operation), body, opts.upstreamModel));
    return JSON.stringify(translateRequest(from, to, body, { model: opts.model, upstreamModel: opts.upstreamModel, stream: opts.stream }));
  } catch (err) {
    if (err instanceof TranslationError) throw new GatewayError("invalid_request", { reason: err.message, param: err.field, cause: err });
    throw err;
  }
}

/**
 * A non-stream upstream answer rewritten for the client, or null if it cannot be (→ 502). For
 * embeddings, `clientBody` and `inputTokens` (the tokens metered) complete an OpenAI answer; for a
 * Responses client, `toolNames` gives namespaced functions their own names back.
 */
export function translateAnswer(
  from: Protocol,
  to: WireProtocol,
  parsed: unknown,
  ctx: {
    model: string;
    requestId: string;
    operation?: Operation;
    clientBody?: unknown;
    inputTokens?: number;
    toolNames?: ReturnType<typeof namespacedToolNames>;
  },
): Uint8Array<ArrayBuffer> | null {
  try {
    if (ctx.operation && isEmbeddingOperation(ctx.operation)) {
      const body = translateEmbeddingResponse(embeddingCall(ctx.operation), parsed, {
        model: ctx.model,
        clientBody: ctx.clientBody,
        inputTokens: ctx.inputTokens ?? 0,
      });
      return new TextEncoder().encode(JSON.stringify(body));
    }
    const created = Math.floor(Date.now() / 1000);
    const body = translateResponse(from, to, parsed, { model: ctx.model, id: responseId(to, ctx.requestId), created, toolNames: ctx.toolNames });
    return new TextEncoder().encode(JSON.stringify(body));
  } catch {
    return null;
  }
}

/** Ids in the client protocol's own style, derived from our request id. */
function responseId(protocol: WireProtocol, requestId: string): string {
  const suffix = requestId.replace(/^req_/, "");
  if (protocol === "responses") return `resp_${suffix}`;
  return protocol === "openai" ? `chatcmpl-${suffix}` : protocol === "anthropic" ? `msg_${suffix}` : suffix;
}

/**
 * An upstream refusal (4xx) in the client's error shape: same status, the upstream's message,
 * since it explains what the upstream did not accept.
 */
export function translateUpstreamError(status: number, parsed: unknown, to: WireProtocol): Uint8Array<ArrayBuffer> {
  const error = (parsed as { error?: { message?: unknown } } | undefined)?.error;
  const reason = typeof error?.message === "string" ? error.message : `HTTP ${status}`;
  const refusal = new GatewayError("upstream_rejected", { reason });
  // The table's shape and code for the client's protocol, with the upstream's own status.
  const body = to === "anthropic" ? renderAnthropicError(refusal) : to === "gemini" ? renderGeminiError(refusal) : renderOpenAIError(refusal);
  if (to === "anthropic" && status === 404) (body as { error: { type: string } }).error.type = "not_found_error";
  if (to === "gemini") Object.assign((body as { error: object }).error, { code: status, status: status === 404 ? "NOT_FOUND" : "INVALID_ARGUMENT" });
  return new TextEncoder().encode(JSON.stringify(body));
}

/**
 * Rewrites an upstream SSE stream into the client's protocol, event by event, as bytes arrive.
 * For a Gemini client that did not ask for SSE, the events are framed as one JSON array.
 */
export function createStreamRewriter(
  from: Protocol,
  to: WireProtocol,
  ctx: { model: string; requestId: string; includeUsage: boolean; jsonArray: boolean; toolNames?: ReturnType<typeof namespacedToolNames> },
) {
  const translator = createStreamTranslator(from, to, {
    model: ctx.model,
    id: responseId(to, ctx.requestId),
    created: Math.floor(Date.now() / 1000),
    includeUsage: ctx.includeUsage,
    toolNames: ctx.toolNames,
  });
  const encoder = new TextEncoder();
  let first = true;
  const frame = (sse: string): string => {
    if (!ctx.jsonArray || sse === "") return sse;
    let out = "";
    for (const match of sse.matchAll(/^data: (.*)$/gm)) {
      out += `${first ? "[" : ",\r\n"}${match[1]}`;
      first = false;
    }
    return out;
  };
  return {
    push(event: { event?: string; data: string }): Uint8Array | null {
      const text = frame(translator.push(event));
      return text ? encoder.encode(text) : null;
    },
    end(): Uint8Array | null {
      let text = frame(translator.end());
      if (ctx.jsonArray) text += first ? "[]" : "]";
      return text ? encoder.encode(text) : null;
    },
  };
}

/** A local estimate for token counting where the channel's protocol has no endpoint for it. */
export function estimatedTokenCount(raw: Uint8Array, to: Protocol): Uint8Array<ArrayBuffer> {
  const tokens = Math.ceil(raw.byteLength / 4);
  const body = to === "gemini" ? { totalTokens: tokens } : { input_tokens: tokens };
  return new TextEncoder().encode(JSON.stringify(body));
}
