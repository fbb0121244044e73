import { createParser } from "eventsource-parser";
import type { Protocol, TokenCounts } from "./types";

// Reads token usage the way each upstream reports it, from a whole JSON body or while a stream
// passes through. The upstream's own numbers are the truth; when a stream ends before they arrive
// (client gone, connection dropped) the output is estimated from the text seen and marked so.

export interface UsageReading extends TokenCounts {
  /** True when any count is an estimate rather than the upstream's own figure. */
  estimated: boolean;
}

/** A rough count for text we cannot ask the upstream about: about four characters a token. */
export function estimateTokens(chars: number): number {
  return chars <= 0 ? 0 : Math.ceil(chars / 4);
}

type Json = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

function openaiUsage(usage: Json): TokenCounts {
  const cached = num((usage.prompt_tokens_details as Json | undefined)?.cached_tokens);
  return { inputTokens: Math.max(0, num(usage.prompt_tokens) - cached), outputTokens: num(usage.completion_tokens), cacheReadTokens: cached, cacheWriteTokens: 0 };
}

function anthropicUsage(usage: Json): TokenCounts {
  return {
    inputTokens: num(usage.input_tokens),
    outputTokens: num(usage.output_tokens),
    cacheReadTokens: num(usage.cache_read_input_tokens),
    cacheWriteTokens: num(usage.cache_creation_input_tokens),
  };
}

function geminiUsage(usage: Json): TokenCounts {
  const cached = num(usage.cachedContentTokenCount);
  return {
    inputTokens: Math.max(0, num(usage.promptTokenCount) - cached),
    outputTokens: num(usage.candidatesTokenCount) + num(usage.thoughtsTokenCount),
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
  };
}

/** Usage from a complete (non-streamed) response body; null when it carries none. */
export function usageFromBody(protocol: Protocol, body: unknown): TokenCounts | null {
  if (!body || typeof body !== "object") return null;
  const b = body as Json;
  if (protocol === "openai" && b.usage && typeof b.usage === "object") return openaiUsage(b.usage as Json);
  if (protocol === "anthropic" && b.usage && typeof b.usage === "object") return anthropicUsage(b.usage as Json);
  if (protocol === "gemini" && b.usageMetadata && typeof b.usageMetadata === "object") return geminiUsage(b.usageMetadata as Json);
  return null;
}

/**
 * Watches a stream's bytes (a copy: it never changes what the client gets) and keeps the latest
 * usage the upstream reported plus the amount of text generated, for the estimate.
 */
export class StreamUsageObserver {
  private readonly decoder = new TextDecoder();
  private readonly parser;
  private reported: Partial<TokenCounts> = {};
  private sawOutputCount = false;
  private sawInputCount = false;
  private outputChars = 0;

  /** For Gemini's JSON-array streaming (no alt=sse): the end of the text, where usage arrives. */
  private tail = "";

  constructor(
    private readonly protocol: Protocol,
    /** Estimated prompt size, used only if the upstream never reports input tokens. */
    private readonly estimatedInputTokens: number,
    /** "json-array": Gemini's streamGenerateContent without alt=sse, one JSON array. */
    private readonly framing: "sse" | "json-array" = "sse",
  ) {
    this.parser = createParser({ onEvent: (event) => this.onEvent(event.event, event.data) });
  }

  feed(chunk: Uint8Array): void {
    const text = this.decoder.decode(chunk, { stream: true });
    if (this.framing === "sse") {
      this.parser.feed(text);
      return;
    }
    for (const match of text.matchAll(/"text"\s*:\s*"((?:[^"\\]|\\.)*)"/g)) this.outputChars += match[1]?.length ?? 0;
    this.tail = (this.tail + text).slice(-32_768);
  }

  /** The last `usageMetadata` object of a JSON-array stream, found by matching braces. */
  private takeTailUsage(): void {
    const at = this.tail.lastIndexOf('"usageMetadata"');
    if (at < 0) return;
    const open = this.tail.indexOf("{", at);
    let depth = 0;
    for (let i = open; i >= 0 && i < this.tail.length; i++) {
      const c = this.tail[i];
      if (c === "{") depth++;
      else if (c === "}" && --depth === 0) {
        try {
          const usage = JSON.parse(this.tail.slice(open, i + 1)) as Json;
          this.take(geminiUsage(usage), true, "candidatesTokenCount" in usage);
        } catch {
          // not usable: the estimate stands
        }
        return;
      }
    }
  }

  private onEvent(name: string | undefined, data: string): void {
    if (data === "[DONE]" || data === "") return;
    let json: Json;
    try {
      json = JSON.parse(data) as Json;
    } catch {
      return;
    }
    if (this.protocol === "openai") {
      for (const choice of (json.choices as Json[] | undefined) ?? []) {
        const delta = choice.delta as Json | undefined;
        if (typeof delta?.content === "string") this.outputChars += delta.content.length;
        for (const call of (delta?.tool_calls as Json[] | undefined) ?? []) {
          const args = (call.function as Json | undefined)?.arguments;
          if (typeof args === "string") this.outputChars += args.length;
        }
      }
      if (json.usage && typeof json.usage === "object") this.take(openaiUsage(json.usage as Json), true, true);
    } else if (this.protocol === "anthropic") {
      const type = name ?? (json.type as string | undefined);
      if (type === "message_start") {
        const usage = ((json.message as Json | undefined)?.usage ?? {}) as Json;
        const u = anthropicUsage(usage);
        this.take({ inputTokens: u.inputTokens, cacheReadTokens: u.cacheReadTokens, cacheWriteTokens: u.cacheWriteTokens }, true, false);
      } else if (type === "content_block_delta") {
        const delta = json.delta as Json | undefined;
        const text = delta?.text ?? delta?.partial_json ?? delta?.thinking;
        if (typeof text === "string") this.outputChars += text.length;
      } else if (type === "message_delta" && json.usage && typeof json.usage === "object") {
        // Cumulative: the last one holds the totals. Newer API versions repeat the input counts here.
        const usage = json.usage as Json;
        const u = anthropicUsage(usage);
        this.take({ outputTokens: u.outputTokens }, false, true);
        if ("input_tokens" in usage) this.take({ inputTokens: u.inputTokens, cacheReadTokens: u.cacheReadTokens, cacheWriteTokens: u.cacheWriteTokens }, true, false);
      }
    } else {
      for (const candidate of (json.candidates as Json[] | undefined) ?? []) {
        for (const part of (((candidate.content as Json | undefined)?.parts as Json[] | undefined) ?? [])) {
          if (typeof part.text === "string") this.outputChars += part.text.length;
        }
      }
      if (json.usageMetadata && typeof json.usageMetadata === "object") this.take(geminiUsage(json.usageMetadata as Json), true, "candidatesTokenCount" in (json.usageMetadata as Json));
    }
  }

  private take(counts: Partial<TokenCounts>, input: boolean, output: boolean): void {
    this.reported = { ...this.reported, ...counts };
    this.sawInputCount ||= input;
    this.sawOutputCount ||= output;
  }

  /** The usage to bill: the upstream's where it reported it, estimates for the rest. */
  reading(): UsageReading {
    if (this.framing === "json-array") this.takeTailUsage();
    return {
      inputTokens: this.sawInputCount ? (this.reported.inputTokens ?? 0) : this.estimatedInputTokens,
      cacheReadTokens: this.reported.cacheReadTokens ?? 0,
      cacheWriteTokens: this.reported.cacheWriteTokens ?? 0,
      outputTokens: this.sawOutputCount ? (this.reported.outputTokens ?? 0) : estimateTokens(this.outputChars),
      estimated: !this.sawInputCount || !this.sawOutputCount,
    };
  }
}
