/**
 * Fault injection. A fault is set for the whole server (`setFault`, or the `fault` start option)
 * and/or per request with `x-mock-*` headers; header values override the server fault field by field.
 */
import type { IncomingHttpHeaders } from "node:http";

export interface Fault {
  /** Wait this long before sending the status line and headers. */
  delayMs?: number;
  /** Wait this long between stream chunks (SSE events, or JSON array elements for Gemini). */
  chunkDelayMs?: number;
  /** Answer with this HTTP status (>= 400) and the provider's error body. */
  status?: number;
  /** Seconds for the `retry-after` header of an error; 429 answers send 1 when not given. */
  retryAfter?: number;
  /** Message of the error body. */
  message?: string;
  /** Never answer; the request stays open until the client (or `close()`) ends it. */
  hang?: boolean;
  /**
   * Stop a stream after this many chunks by closing the connection without the terminating chunk.
   * A non-streaming answer is cut after half of its body whatever the number.
   */
  dropAfterChunks?: number;
  /** Close the socket as soon as the request arrives, without any answer. */
  refuse?: boolean;
  /** Output tokens of a text reply, overriding the request's limit. */
  outputTokens?: number;
  /** Report the provider's max-tokens stop reason (length / max_tokens / MAX_TOKENS). */
  truncated?: boolean;
  /**
   * Test only: a streamed OpenAI Chat Completions text reply goes on until its body is at least
   * this many bytes (as many words as that takes, all counted in `usage`), generated as it is
   * sent and written only while the connection takes it.
   */
  streamBytes?: number;
  /** Apply only to the next N matching requests, then clear itself. */
  times?: number;
  /** Apply only to requests whose path contains this string or matches this expression. */
  match?: string | RegExp;
}

/** A server-wide fault with its remaining count. */
export class FaultSlot {
  private fault: Fault | null = null;
  private remaining = Infinity;

  set(fault: Fault | null): void {
    // `times: 0` means no request at all is affected.
    this.fault = fault && (fault.times === undefined || fault.times > 0) ? fault : null;
    this.remaining = fault?.times ?? Infinity;
  }

  /** The fault that applies to a request on `path`, consuming one of its `times`. */
  take(path: string): Fault | undefined {
    const fault = this.fault;
    if (!fault || !matches(fault.match, path)) return undefined;
    this.remaining -= 1;
    if (this.remaining <= 0) this.set(null);
    return fault;
  }
}

function matches(match: Fault["match"], path: string): boolean {
  if (match === undefined) return true;
  return typeof match === "string" ? path.includes(match) : match.test(path);
}

/** Header names of the per-request knobs. */
export const KNOB_HEADERS = {
  delayMs: "x-mock-delay-ms",
  chunkDelayMs: "x-mock-chunk-delay-ms",
  status: "x-mock-status",
  retryAfter: "x-mock-retry-after",
  message: "x-mock-error-message",
  hang: "x-mock-hang",
  dropAfterChunks: "x-mock-drop-after",
  refuse: "x-mock-refuse",
  outputTokens: "x-mock-output-tokens",
  truncated: "x-mock-truncated",
  streamBytes: "x-mock-stream-bytes",
} as const;

/** The fault for one request: the server fault (if any) overridden by the request's headers. */
export function resolveFault(serverFault: Fault | undefined, headers: IncomingHttpHeaders): Fault {
  const fault: Fault = { ...serverFault };
  // Fast path: most requests carry no knob at all.
  if (!hasKnob(headers)) return fault;
  const num = (name: string) => {
    const raw = headers[name];
    if (typeof raw !== "string" || raw.trim() === "") return undefined;
    const value = Number(raw);
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const flag = (name: string) => {
    const raw = headers[name];
    if (typeof raw !== "string") return undefined;
    return !["", "0", "false", "no"].includes(raw.trim().toLowerCase());
  };
  const set = <K extends keyof Fault>(key: K, value: Fault[K] | undefined) => {
    if (value !== undefined) fault[key] = value;
  };
  set("delayMs", num(KNOB_HEADERS.delayMs));
  set("chunkDelayMs", num(KNOB_HEADERS.chunkDelayMs));
  set("status", num(KNOB_HEADERS.status));
  set("retryAfter", num(KNOB_HEADERS.retryAfter));
  const message = headers[KNOB_HEADERS.message];
  if (typeof message === "string" && message !== "") fault.message = message;
  set("hang", flag(KNOB_HEADERS.hang));
  set("dropAfterChunks", num(KNOB_HEADERS.dropAfterChunks));
  set("refuse", flag(KNOB_HEADERS.refuse));
  set("outputTokens", num(KNOB_HEADERS.outputTokens));
  set("truncated", flag(KNOB_HEADERS.truncated));
  set("streamBytes", num(KNOB_HEADERS.streamBytes));
  return fault;
}

function hasKnob(headers: IncomingHttpHeaders): boolean {
  for (const name in headers) {
    if (name.startsWith("x-mock-")) return true;
  }
  return false;
}
