import { createParser } from "eventsource-parser";
import { anthropicUsage, geminiUsage, normalizeUsage, openaiUsage, type Usage } from "@/lib/translate";
import type { Protocol } from "./types";

// Reads token usage the way each upstream reports it, from a whole JSON body or while a stream
// passes through; the counts are normalised by the translation adapters' readers (one usage
// type and one normaliser for the gateway and lib/translate). The upstream's own numbers are the truth; when a stream ends before they arrive
// (client gone, connection dropped) the output is estimated from the text seen and marked so.

export interface UsageReading extends Usage {
  /** True when any count is an estimate rather than the upstream's own figure. */
  estimated: boolean;
}

/** A rough count for text we cannot ask the upstream about: about four characters a token. */
export function estimateTokens(chars: number): number {
  return chars <= 0 ? 0 : Math.ceil(chars / 4);
}

type Json = Record<string, unknown>;

/** Usage from a complete (non-streamed) response body; null when it carries none. */
export function usageFromBody(protocol: Protocol, body: unknown): Usage | null {
  if (!body || typeof body !== "object") return null;
  const reported = protocol === "gemini" ? (body as Json).usageMetadata : (body as Json).usage;
  if (!reported || typeof reported !== "object") return null;
  // The counts that are billed; reasoning is already part of the output.
  const { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } = normalizeUsage(protocol, reported);
  return { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens };
}

/** The start of each string field whose text is generated output, per protocol (for the estimate). */
const OUTPUT_FIELDS: Record<Protocol, RegExp> = {
  // Chat Completions `content`/`arguments`; the Responses API streams text as `delta` strings.
  openai: /"(?:content|arguments|delta)"\s*:\s*"/g,
  anthropic: /"(?:text|partial_json|thinking)"\s*:\s*"/g,
  gemini: /"text"\s*:\s*"/g,
};

/** A member `usage` (`usageMetadata` for Gemini) with an object value. */
const USAGE_MEMBER = /"usage"\s*:\s*\{/g;
const GEMINI_USAGE_MEMBER = /"usageMetadata"\s*:\s*\{/g;

// The scanner works on the stream's bytes read as Latin-1: one character per byte, so positions
// are byte offsets, the markers it looks for are ASCII, and reading a chunk that way is the
// cheapest decoding there is. Only the few events that carry usage are decoded as UTF-8.

/** JSON whitespace, by character code (or byte). */
export function isJsonSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** After a JSON member name ending before `at`: the index of its value's first character. */
function valueStart(text: string, at: number): number {
  const end = text.length;
  let i = at;
  while (i < end && isJsonSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 0x3a) return -1;
  i++;
  while (i < end && isJsonSpace(text.charCodeAt(i))) i++;
  return i < end ? i : -1;
}

/** Index of the quote closing a JSON string whose content starts at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  for (let i = text.indexOf('"', from); i >= 0; i = text.indexOf('"', i + 1)) {
    let slashes = 0;
    for (let j = i - 1; j >= from && text.charCodeAt(j) === 0x5c; j--) slashes++;
    if (slashes % 2 === 0) return i;
  }
  return -1;
}

/** Calls `found` with the position of each match of the global `pattern` in `text`. */
function forEachMatch(text: string, pattern: RegExp, found: (at: number, end: number) => void): void {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) found(m.index, pattern.lastIndex);
}

/**
 * The event around position `at`: from after the previous blank line to the end of its own. CRLF
 * line endings are looked for only when the text has a CR at all (a search that finds nothing
 * reads the whole text).
 */
function eventAround(text: string, at: number, crlf: boolean): [number, number] {
  const lfBefore = text.lastIndexOf("\n\n", at);
  let before = lfBefore < 0 ? 0 : lfBefore + 2;
  const lfAfter = text.indexOf("\n\n", at);
  let end = lfAfter < 0 ? text.length : lfAfter + 2;
  if (crlf) {
    const crlfBefore = text.lastIndexOf("\n\r\n", at);
    if (crlfBefore >= 0) before = Math.max(before, crlfBefore + 3);
    const crlfAfter = text.indexOf("\n\r\n", at);
    if (crlfAfter >= 0 && crlfAfter + 3 < end) end = crlfAfter + 3;
  }
  return [before, end];
}

/**
 * Usage from a complete response body as text, without parsing all of it: the last top-level-looking
 * `"usage"` (`"usageMetadata"` for Gemini) member with an object value is cut out and parsed
 * alone. An answer is mostly generated text; building its whole object tree only to read a few
 * counts is what this avoids. Falls back to a full parse when the cut does not parse.
 */
export function usageFromText(protocol: Protocol, text: string): Usage | null {
  const name = protocol === "gemini" ? '"usageMetadata"' : '"usage"';
  for (let at = text.lastIndexOf(name); at >= 0; at = at === 0 ? -1 : text.lastIndexOf(name, at - 1)) {
    const open = valueStart(text, at + name.length);
    if (open < 0 || text.charCodeAt(open) !== 0x7b) continue;
    const close = matchingBrace(text, open);
    if (close < 0) break;
    try {
      const usage = JSON.parse(text.slice(open, close + 1)) as Json;
      return usageFromBody(protocol, protocol === "gemini" ? { usageMetadata: usage } : { usage });
    } catch {
      break;
    }
  }
  try {
    return usageFromBody(protocol, JSON.parse(text));
  } catch {
    return null;
  }
}

/** Index of the brace closing the object that opens at `open`, skipping strings; -1 if none. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const close = closingQuote(text, i + 1);
      if (close < 0) return -1;
      i = close;
    } else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) return i;
  }
  return -1;
}

/** The name on an event's `event:` line (first, as Anthropic sends it); undefined without one. */
function eventName(event: string): string | undefined {
  if (!event.startsWith("event:")) return undefined;
  const lf = event.indexOf("\n");
  return event.slice(6, lf < 0 ? event.length : lf).trim();
}

/** Latin-1 text (bytes as scanned) read as the UTF-8 it is. */
function utf8(latin1: string): string {
  return Buffer.from(latin1, "latin1").toString("utf8");
}

/**
 * The `data:` payload of one SSE event (its lines joined), and its `event:` name, read with the
 * same SSE parser that rewrites streams across protocols. Only the few events that carry usage
 * come here.
 */
function parseEvent(text: string): { name: string | undefined; data: string } {
  let name: string | undefined;
  let data = "";
  const parser = createParser({
    onEvent: (event) => {
      name ??= event.event;
      data ||= event.data;
    },
  });
  parser.feed(text.endsWith("\n\n") || text.endsWith("\r\n\r\n") ? text : `${text}\n\n`);
  return { name, data };
}

/**
 * Watches a stream's bytes on their way to the client and keeps the latest usage the upstream
 * reported plus the amount of text generated, for the estimate. It reads bytes, not parsed
 * events: most events are only scanned (for the length of their text) and JSON is parsed only
 * for the few that carry usage, so metering a stream costs little next to passing it on.
 *
 * With `dropInjectedUsage` (an OpenAI stream whose usage chunk the gateway asked for, not the
 * client), push() also removes that chunk — the one with `"choices": []` and a usage object —
 * and returns what the client should get; a partial event then waits for its end, every complete
 * one goes out at once. Otherwise push() returns the chunk itself: the client gets the upstream's
 * bytes untouched. Events end with a blank line (LF or CRLF line endings).
 */
export class StreamUsageObserver {
  private reported: Partial<Usage> = {};
  private sawOutputCount = false;
  private sawInputCount = false;
  private outputChars = 0;
  /** An event not yet complete (Latin-1, as scanned). */
  private pending = "";
  /** Whether the stream has CR characters (CRLF line endings are then possible). */
  private crlf = false;
  /** Gemini reports cumulative usage in every chunk: the latest, parsed once at the end. */
  private latestGeminiUsage: string | null = null;

  /**
   * For Gemini's JSON-array streaming (no alt=sse): the end of the text, where usage arrives. The
   * decoder is made when first needed: it is dear to make, and SSE streams are read as Latin-1.
   */
  private decoder: TextDecoder | null = null;
  private tail = "";

  constructor(
    private readonly protocol: Protocol,
    /** Estimated prompt size, used only if the upstream never reports input tokens. */
    private readonly estimatedInputTokens: number,
    /** "json-array": Gemini's streamGenerateContent without alt=sse, one JSON array. */
    private readonly framing: "sse" | "json-array" = "sse",
    private readonly options: { dropInjectedUsage?: boolean } = {},
  ) {}

  /** Meters a chunk (the client's bytes are not changed). */
  feed(chunk: Uint8Array): void {
    if (this.framing === "json-array") {
      const text = (this.decoder ??= new TextDecoder()).decode(chunk, { stream: true });
      for (const match of text.matchAll(/"text"\s*:\s*"((?:[^"\\]|\\.)*)"/g)) this.outputChars += match[1]?.length ?? 0;
      this.tail = (this.tail + text).slice(-32_768);
      return;
    }
    this.scan(chunk, false);
  }

  /** Meters a chunk and returns the bytes to send the client now (null: nothing yet). */
  push(chunk: Uint8Array): Uint8Array | null {
    if (this.framing === "json-array" || !this.options.dropInjectedUsage) {
      this.feed(chunk);
      return chunk;
    }
    return this.scan(chunk, true);
  }

  /** The end of the stream: what is left to send (an event without its final blank line). */
  end(): Uint8Array | null {
    const rest = this.pending;
    this.pending = "";
    if (rest === "") return null;
    const dropped = this.meter(rest);
    return this.options.dropInjectedUsage && this.framing === "sse" && !dropped ? Buffer.from(rest, "latin1") : null;
  }

  private scan(chunk: Uint8Array, filtering: boolean): Uint8Array | null {
    const incoming = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1");
    const held = this.pending !== "";
    const text = held ? this.pending + incoming : incoming;
    this.crlf ||= incoming.includes("\r");
    // Complete events end at the last blank line; the rest waits for its end.
    const lf = text.lastIndexOf("\n\n");
    const crlf = this.crlf ? text.lastIndexOf("\n\r\n") : -1;
    const end = Math.max(lf < 0 ? 0 : lf + 2, crlf < 0 ? 0 : crlf + 3);
    this.pending = end < text.length ? text.slice(end) : "";
    const dropped = end > 0 ? this.meter(end === text.length ? text : text.slice(0, end)) : null;
    if (!filtering) return chunk;
    if (!dropped && !held && end === text.length) return chunk;
    if (!held) {
      // Positions in the text are positions in the chunk: send its own bytes. The events after the
      // dropped one move up over it in place (the chunk is this stream's alone), so no copy is made.
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (!dropped) return end > 0 ? bytes.subarray(0, end) : null;
      const [start, stop] = dropped;
      if (stop < end) bytes.copyWithin(start, stop, end);
      const length = start + (end - stop);
      return length > 0 ? bytes.subarray(0, length) : null;
    }
    const out = dropped ? text.slice(0, dropped[0]) + text.slice(dropped[1], end) : text.slice(0, end);
    return out === "" ? null : Buffer.from(out, "latin1");
  }

  /**
   * Meters complete events with a few searches over the whole text rather than work per event;
   * only the events that carry usage are cut out and parsed. Returns the range of the injected
   * OpenAI usage event, when there is one to remove.
   */
  private meter(text: string): [number, number] | null {
    this.countOutput(text);
    if (this.protocol === "openai") {
      let dropped: [number, number] | null = null;
      forEachMatch(text, USAGE_MEMBER, (at) => {
        const [start, end] = eventAround(text, at, this.crlf);
        const json = this.parse(text.slice(start, end));
        // Chat Completions: the chunk's `usage`; Responses: `response.usage` of response.completed.
        const usage = json?.usage ?? (json?.response as Json | undefined)?.usage;
        if (!json || !usage || typeof usage !== "object") return;
        this.take(openaiUsage(usage), true, true);
        if (this.options.dropInjectedUsage && Array.isArray(json.choices) && json.choices.length === 0) dropped = [start, end];
      });
      return dropped;
    }
    if (this.protocol === "anthropic") {
      for (const type of ["message_start", "message_delta"] as const) {
        for (let at = text.indexOf(type); at >= 0; at = text.indexOf(type, at + type.length)) {
          const [start, end] = eventAround(text, at, this.crlf);
          const event = text.slice(start, end);
          at = Math.max(at, end - type.length);
          const json = this.parse(event);
          if (!json || (eventName(event) ?? json.type) !== type) continue;
          if (type === "message_start") {
            const u = anthropicUsage((json.message as Json | undefined)?.usage);
            this.take({ inputTokens: u.inputTokens, cacheReadTokens: u.cacheReadTokens, cacheWriteTokens: u.cacheWriteTokens }, true, false);
          } else if (json.usage && typeof json.usage === "object") {
            // Cumulative: the last one holds the totals. Newer API versions repeat the input counts here.
            const usage = json.usage as Json;
            const u = anthropicUsage(usage);
            this.take({ outputTokens: u.outputTokens }, false, true);
            if ("input_tokens" in usage)
              this.take({ inputTokens: u.inputTokens, cacheReadTokens: u.cacheReadTokens, cacheWriteTokens: u.cacheWriteTokens }, true, false);
          }
        }
      }
      return null;
    }
    // Gemini repeats cumulative usage in every chunk: keep the latest, parse it once at the end.
    forEachMatch(text, GEMINI_USAGE_MEMBER, (at) => {
      const [start, end] = eventAround(text, at, this.crlf);
      this.latestGeminiUsage = text.slice(start, end);
    });
    return null;
  }

  private parse(event: string): Json | null {
    const { data } = parseEvent(utf8(event));
    if (data === "" || data === "[DONE]") return null;
    try {
      const json = JSON.parse(data) as unknown;
      return json && typeof json === "object" ? (json as Json) : null;
    } catch {
      return null;
    }
  }

  /** Adds the length of every output string field (in bytes as sent, escapes included). */
  private countOutput(text: string): void {
    const pattern = OUTPUT_FIELDS[this.protocol];
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      const close = closingQuote(text, pattern.lastIndex);
      if (close < 0) break;
      this.outputChars += close - pattern.lastIndex;
      pattern.lastIndex = close + 1;
    }
  }

  /** The last `usageMetadata` object of a JSON-array stream, found by matching braces. */
  private takeTailUsage(): void {
    const at = this.tail.lastIndexOf('"usageMetadata"');
    if (at < 0) return;
    const open = this.tail.indexOf("{", at);
    const close = open < 0 ? -1 : matchingBrace(this.tail, open);
    if (close < 0) return;
    try {
      const usage = JSON.parse(this.tail.slice(open, close + 1)) as Json;
      this.take(geminiUsage(usage), true, "candidatesTokenCount" in usage);
    } catch {
      // not usable: the estimate stands
    }
  }

  private takeGeminiUsage(): void {
    if (this.latestGeminiUsage === null) return;
    const { data } = parseEvent(utf8(this.latestGeminiUsage));
    this.latestGeminiUsage = null;
    try {
      const usage = (JSON.parse(data) as Json).usageMetadata as Json;
      this.take(geminiUsage(usage), true, "candidatesTokenCount" in usage);
    } catch {
      // not usable: the estimate stands
    }
  }

  private take(counts: Partial<Usage>, input: boolean, output: boolean): void {
    this.reported = { ...this.reported, ...counts };
    this.sawInputCount ||= input;
    this.sawOutputCount ||= output;
  }

  /** The usage to bill: the upstream's where it reported it, estimates for the rest. */
  reading(): UsageReading {
    if (this.framing === "json-array") this.takeTailUsage();
    else {
      // An event the stream ended in the middle of still counts for the estimate.
      if (this.pending !== "") this.end();
      if (this.protocol === "gemini") this.takeGeminiUsage();
    }
    return {
      inputTokens: this.sawInputCount ? (this.reported.inputTokens ?? 0) : this.estimatedInputTokens,
      cacheReadTokens: this.reported.cacheReadTokens ?? 0,
      cacheWriteTokens: this.reported.cacheWriteTokens ?? 0,
      outputTokens: this.sawOutputCount ? (this.reported.outputTokens ?? 0) : estimateTokens(this.outputChars),
      estimated: !this.sawInputCount || !this.sawOutputCount,
    };
  }
}
