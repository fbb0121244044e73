import "server-only";
import type { CatalogChannel } from "./catalog";
import { callUpstream, classifyUpstreamError, describeUpstreamFailure } from "./upstream-client";
import { buildUpstreamTarget, type Operation } from "./upstream-request";
import type { Protocol } from "./types";

// The console's "Test" of a channel: one tiny request (a single output token) for one of its
// models, sent the way the gateway sends traffic (the same URL and credential building and the
// same pooled client), but outside the pipeline: nobody is billed, no request is logged, and the
// circuit breaker is left alone.

export interface ProbeResult {
  ok: boolean;
  /** The upstream's HTTP status; null when no answer came (connect error, timeout). */
  status: number | null;
  latencyMs: number;
  /** The model asked for, as the upstream knows it (after the channel's name mapping). */
  upstreamModel: string;
  /** The upstream's own error message, or what went wrong on the way; never the channel's key. */
  error: string | null;
}

const OPERATION: Record<Protocol, Operation> = { openai: "chat", anthropic: "messages", gemini: "generate" };

function tinyRequest(protocol: Protocol, upstreamModel: string): string {
  if (protocol === "openai") return JSON.stringify({ model: upstreamModel, messages: [{ role: "user", content: "ping" }], max_completion_tokens: 1 });
  if (protocol === "anthropic") return JSON.stringify({ model: upstreamModel, max_tokens: 1, messages: [{ role: "user", content: "ping" }] });
  return JSON.stringify({ contents: [{ role: "user", parts: [{ text: "ping" }] }], generationConfig: { maxOutputTokens: 1 } });
}

const NO_CLIENT = { url: new URL("http://gatehouse.invalid/") };
const MAX_ERROR_CHARS = 300;

/** The error message of an upstream's error body in any of the three shapes, else the start of the text. */
function upstreamMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === "string" ? body.error : (body.error?.message ?? body.message);
    if (typeof message === "string" && message.trim() !== "") return message;
  } catch {
    // not JSON: the text itself
  }
  return text.trim() || "(empty answer)";
}

/**
 * `message` safe to show: control characters removed, at most 300 characters, and no run of eight
 * or more characters of the channel's key (an upstream may quote the key it was sent).
 */
export function redactKey(message: string, apiKey: string): string {
  let out = message.replace(/\p{Cc}+/gu, " ");
  if (apiKey.length >= 8) {
    for (let i = 0; i + 8 <= apiKey.length; i++) {
      const piece = apiKey.slice(i, i + 8);
      if (out.includes(piece)) out = out.replaceAll(piece, "[key]");
    }
    out = out.replace(/(\[key\][^\s"']*)+/g, "[key]");
  }
  return out.length > MAX_ERROR_CHARS ? `${out.slice(0, MAX_ERROR_CHARS - 1)}…` : out;
}

/** Sends the tiny request for `model` to `channel` and reports what came back. */
export async function probeChannel(channel: CatalogChannel, model: string, options: { timeoutMs?: number } = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const upstreamModel = channel.modelMap[model] ?? model;
  const operation = OPERATION[channel.protocol];
  const target = buildUpstreamTarget(channel, operation, new Headers(), NO_CLIENT, upstreamModel, false);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const upstream = await callUpstream({
      ...target,
      body: tinyRequest(channel.protocol, upstreamModel),
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeoutMs: timeoutMs,
    });
    const text = await upstream.body.text();
    const latencyMs = elapsed();
    const ok = upstream.statusCode >= 200 && upstream.statusCode < 300;
    return {
      ok,
      status: upstream.statusCode,
      latencyMs,
      upstreamModel,
      error: ok ? null : redactKey(`HTTP ${upstream.statusCode}: ${upstreamMessage(text.slice(0, 64 * 1024))}`, channel.apiKey),
    };
  } catch (err) {
    // The overall limit (AbortSignal.timeout) ends the call with a TimeoutError; the headers limit with undici's own.
    const kind = (err as { name?: string })?.name === "TimeoutError" ? "timeout" : classifyUpstreamError(err);
    const error = kind === "timeout" || kind === "aborted" ? `no answer within ${Math.round(timeoutMs / 100) / 10} s` : describeUpstreamFailure(err);
    return { ok: false, status: null, latencyMs: elapsed(), upstreamModel, error };
  }
}
