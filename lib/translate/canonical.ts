// The hub of the translators: one representation of a chat request, response and stream that
// every protocol adapter reads from and writes to. Adding a protocol means writing one adapter
// that maps its wire format to and from these types; no adapter knows about another.
//
// Usage follows the gateway's metering convention (lib/gateway/usage.ts): `inputTokens` are the
// prompt tokens NOT served from a cache, `cacheReadTokens` those that were, `cacheWriteTokens`
// those written to a cache (Anthropic only), `outputTokens` everything generated, reasoning
// included (`reasoningTokens` is the part of it that was reasoning, when the upstream says).

/** The wire protocols: "responses" is OpenAI's Responses API, "openai" its Chat Completions. */
export type Protocol = "openai" | "anthropic" | "gemini" | "responses";

export const PROTOCOL_NAMES: Record<Protocol, string> = { openai: "OpenAI", anthropic: "Anthropic", gemini: "Gemini", responses: "OpenAI Responses" };

/**
 * A request or response that cannot be carried across protocols. `field` is the path of the
 * offending field as the client wrote it (`messages[2].content[0].type`); the gateway answers 400
 * `invalid_request` with `param` = field.
 */
export class TranslationError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`"${field}" ${reason}`);
    this.name = "TranslationError";
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

export interface CacheControl {
  /** Opaque caching hint (Anthropic `cache_control`), kept for an Anthropic upstream only. */
  [key: string]: unknown;
}

export interface TextPart {
  type: "text";
  text: string;
  cacheControl?: CacheControl;
}

export type ImageSource = { kind: "url"; url: string } | { kind: "base64"; mediaType: string; data: string };

export interface ImagePart {
  type: "image";
  source: ImageSource;
  cacheControl?: CacheControl;
}

export interface ToolCallPart {
  type: "tool_call";
  id: string;
  name: string;
  /** The arguments as a JSON text (OpenAI's form; Anthropic/Gemini objects are serialised). */
  arguments: string;
  cacheControl?: CacheControl;
}

/** Model reasoning carried in an assistant turn of the history (Anthropic thinking, Gemini thought). */
export interface ThinkingPart {
  type: "thinking";
  text: string;
  /** Anthropic's signature, or "redacted" data for a redacted_thinking block. */
  signature?: string;
  redacted?: boolean;
}

export type UserPart = TextPart | ImagePart;
export type AssistantPart = TextPart | ToolCallPart | ThinkingPart;

export interface ToolResultPart {
  type: "tool_result";
  toolCallId: string;
  /** Text and images the tool returned. */
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
  cacheControl?: CacheControl;
}

export type CanonicalMessage =
  | { role: "user"; content: UserPart[]; path: string }
  | { role: "assistant"; content: AssistantPart[]; path: string }
  | { role: "tool"; content: ToolResultPart; path: string };

export interface CanonicalTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (an object schema). */
  parameters: Record<string, unknown>;
  /** OpenAI `strict` / Anthropic `strict`: arguments must follow the schema exactly. */
  strict?: boolean;
  cacheControl?: CacheControl;
  path: string;
}

export type ToolChoice = { type: "auto" } | { type: "none" } | { type: "required" } | { type: "tool"; name: string };

export type ResponseFormat =
  { type: "text" } | { type: "json_object" } | { type: "json_schema"; name?: string; description?: string; schema: Record<string, unknown>; strict?: boolean };

export type Effort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";

export type Thinking =
  /** Reasoning explicitly off. */
  | { type: "disabled" }
  /** Reasoning on; without a budget the model decides how much (Anthropic adaptive, Gemini -1). */
  | { type: "enabled"; budgetTokens?: number };

export interface CanonicalRequest {
  model: string;
  system: TextPart[];
  messages: CanonicalMessage[];
  tools?: CanonicalTool[];
  toolChoice?: ToolChoice;
  /** false when the client forbade parallel tool calls. */
  parallelToolCalls?: boolean;
  /** The client's limit on generated tokens; undefined when it set none. */
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  responseFormat?: ResponseFormat;
  thinking?: Thinking;
  /** How hard to think (OpenAI reasoning_effort, Anthropic output_config.effort, Gemini thinkingLevel). */
  effort?: Effort;
  /** Gemini `thinkingConfig.includeThoughts`: the client wants the reasoning text back. */
  includeThoughts?: boolean;
  stream: boolean;
  /** Whether the client asked for usage in its stream (OpenAI stream_options.include_usage). */
  includeUsage?: boolean;
  /**
   * Where each optional feature came from in the client's body (canonical key → field path), so
   * a target that cannot take it names the client's own field.
   */
  paths: Partial<Record<keyof CanonicalRequest, string>>;
}

// ---------------------------------------------------------------------------------------------
// Responses

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "content_filter" | "refusal" | "other";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Part of outputTokens spent reasoning, when the upstream reports it. */
  reasoningTokens?: number;
}

export const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

export type ResponsePart = { type: "text"; text: string } | { type: "tool_call"; id: string; name: string; arguments: string } | ThinkingPart;

export interface CanonicalResponse {
  id: string;
  model: string;
  content: ResponsePart[];
  stopReason: StopReason;
  /** The stop sequence that ended generation, when the upstream says which. */
  stopSequence?: string | null;
  usage: Usage;
}

// ---------------------------------------------------------------------------------------------
// Streams
//
// `index` is the block's position in the response's content (text, tool call or thinking), as
// the upstream numbered it; encoders renumber for their client when they drop a kind of block.
// Usage in events is absolute, not incremental: a later value for a field replaces an earlier one.

export type CanonicalStreamEvent =
  | { type: "message_start"; id?: string; model?: string; usage?: Partial<Usage> }
  | { type: "text_delta"; index: number; text: string }
  | { type: "thinking_delta"; index: number; text: string }
  | { type: "thinking_signature"; index: number; signature: string }
  | { type: "tool_call_start"; index: number; id: string; name: string }
  | { type: "tool_call_delta"; index: number; argumentsDelta: string }
  | { type: "block_stop"; index: number }
  | { type: "message_delta"; stopReason?: StopReason; stopSequence?: string | null; usage?: Partial<Usage> }
  | { type: "message_stop" }
  /** The upstream reported an error inside the stream (Anthropic `error` event, Gemini error chunk). */
  | { type: "error"; errorType: string; message: string };

export interface SseEvent {
  event?: string;
  data: string;
}

export interface StreamDecoder {
  push(ev: SseEvent): CanonicalStreamEvent[];
  end(): CanonicalStreamEvent[];
}

export interface StreamEncoder {
  push(ev: CanonicalStreamEvent): string;
  end(): string;
}

export interface EncodeContext {
  /** The model name the client asked for. */
  model: string;
  /** The response id the client sees. */
  id: string;
  /** Unix seconds. */
  created: number;
  /**
   * Responses: flattened tool name → the namespace and name the client declared it with
   * (`namespacedToolNames` of the request), so a call comes back under the client's own names.
   */
  toolNames?: Record<string, { namespace: string; name: string }>;
}

export interface StreamEncodeContext extends EncodeContext {
  /** OpenAI: the client asked for stream_options.include_usage, so a final usage chunk is sent. */
  includeUsage: boolean;
}

export interface ProtocolAdapter {
  protocol: Protocol;
  /** Client request body (this protocol) → canonical. `model` is required for Gemini (it is in the URL). */
  parseRequest(body: unknown, opts?: { model?: string; stream?: boolean }): CanonicalRequest;
  /** Canonical → request body for an upstream of this protocol; asks for usage on streams. */
  buildRequest(req: CanonicalRequest, upstreamModel: string): Record<string, unknown>;
  /** Upstream non-stream body → canonical. */
  parseResponse(body: unknown): CanonicalResponse;
  /** Canonical → body for a client of this protocol. */
  buildResponse(res: CanonicalResponse, ctx: EncodeContext): Record<string, unknown>;
  /** Upstream stream (parsed SSE events) → canonical events. */
  createStreamDecoder(): StreamDecoder;
  /** Canonical events → this protocol's SSE text for the client. */
  createStreamEncoder(ctx: StreamEncodeContext): StreamEncoder;
}
