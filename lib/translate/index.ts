// The translation library: one adapter per protocol around a canonical representation
// (canonical.ts). A fourth protocol is one new file in adapters/ plus one line in ADAPTERS.
// Pure functions: no I/O, no framework imports. See README.md for the field decisions.

import { anthropicAdapter, anthropicUsage } from "./adapters/anthropic";
import { geminiAdapter, geminiUsage } from "./adapters/gemini";
import { openaiAdapter, openaiUsage } from "./adapters/openai";
import { responsesAdapter } from "./adapters/responses";
import {
  ZERO_USAGE,
  type CanonicalStreamEvent,
  type EncodeContext,
  type Protocol,
  type ProtocolAdapter,
  type StreamEncodeContext,
  type Usage,
} from "./canonical";
import { mergeUsage } from "./util";

export * from "./canonical";
export { anthropicUsage, DEFAULT_MAX_TOKENS } from "./adapters/anthropic";
export { geminiUsage } from "./adapters/gemini";
export { openaiUsage } from "./adapters/openai";
export { hostedToolTypes, namespacedToolNames, responsesUsage, statefulField, STATEFUL_REASON } from "./adapters/responses";
export { translateEmbeddingRequest, translateEmbeddingResponse, type EmbeddingCall } from "./embeddings";

/** A usage object as `protocol` reports it (`usage`, or Gemini's `usageMetadata`), in the canonical counts. */
export function normalizeUsage(protocol: Protocol, reported: unknown): Usage {
  if (protocol === "openai" || protocol === "responses") return openaiUsage(reported);
  if (protocol === "anthropic") return anthropicUsage(reported);
  return geminiUsage(reported);
}

const ADAPTERS: Record<Protocol, ProtocolAdapter> = { openai: openaiAdapter, anthropic: anthropicAdapter, gemini: geminiAdapter, responses: responsesAdapter };

export function getAdapter(p: Protocol): ProtocolAdapter {
  return ADAPTERS[p];
}

/**
 * Client body in `from` → upstream body in `to`. Throws TranslationError (→ 400 naming `field`).
 * Same-protocol traffic must not be translated: the gateway forwards those bytes unchanged; if
 * called with from === to this returns the body untouched apart from the model name.
 */
export function translateRequest(
  from: Protocol,
  to: Protocol,
  body: unknown,
  opts: { model?: string; upstreamModel: string; stream?: boolean },
): Record<string, unknown> {
  if (from === to) {
    const copy = { ...(body as Record<string, unknown>) };
    if (to !== "gemini") copy.model = opts.upstreamModel;
    return copy;
  }
  const canonical = getAdapter(from).parseRequest(body, { model: opts.model, stream: opts.stream });
  return getAdapter(to).buildRequest(canonical, opts.upstreamModel);
}

/** Upstream non-stream body in `from` → client body in `to`. */
export function translateResponse(from: Protocol, to: Protocol, body: unknown, ctx: EncodeContext): Record<string, unknown> {
  return getAdapter(to).buildResponse(getAdapter(from).parseResponse(body), ctx);
}

/**
 * Upstream SSE events in `from` → client SSE text in `to`, one event at a time. `usage()` is the
 * usage the upstream reported so far, in its own protocol's numbers (null before any report).
 */
export function createStreamTranslator(from: Protocol, to: Protocol, ctx: StreamEncodeContext) {
  const decoder = getAdapter(from).createStreamDecoder();
  const encoder = getAdapter(to).createStreamEncoder(ctx);
  let usage: Usage | null = null;
  const encode = (events: CanonicalStreamEvent[]): string =>
    events
      .map((e) => {
        if ((e.type === "message_start" || e.type === "message_delta") && e.usage) usage = mergeUsage(usage ?? ZERO_USAGE, e.usage);
        return encoder.push(e);
      })
      .join("");
  return {
    push: (ev: { event?: string; data: string }): string => encode(decoder.push(ev)),
    end: (): string => encode(decoder.end()) + encoder.end(),
    usage: (): Usage | null => usage,
  };
}
