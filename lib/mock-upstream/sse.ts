/**
 * Server-sent event framing as each provider writes it. Frames are pre-serialised strings so that
 * a stream is written with no per-chunk object work.
 */

/** OpenAI: `data: <json>` events, LF line endings, ended by `data: [DONE]`. */
export function dataFrame(json: string): string {
  return `data: ${json}\n\n`;
}

export const OPENAI_DONE_FRAME = "data: [DONE]\n\n";

/** Anthropic: named events, the event name repeated as `type` inside the JSON. */
export function eventFrame(event: string, json: string): string {
  return `event: ${event}\ndata: ${json}\n\n`;
}

/** Gemini (`alt=sse`): `data: <json>` events separated by CRLF CRLF, with no terminator event. */
export function crlfDataFrame(json: string): string {
  return `data: ${json}\r\n\r\n`;
}

export const SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8";
