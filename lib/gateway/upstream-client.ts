import { Agent, errors as undiciErrors, type Dispatcher } from "undici";
import { processSingleton } from "@/lib/server/process-singleton";

// One pooled keep-alive client for every upstream call: reusing connections is most of the
// difference between a thin proxy and a slow one (undici.request on a shared Agent is about 1.6x
// the throughput of the global fetch inside Next).

const AGENT = processSingleton<{ current?: Agent }>("gateway.agent", () => ({}));

export function upstreamAgent(): Agent {
  AGENT.current ??= new Agent({
    // No cap per upstream origin: a cap queues streams behind each other (at 256, a thousand slow
    // streams were served 256 at a time).
    connections: null,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connect: { timeout: 10_000 },
  });
  return AGENT.current;
}

export type UpstreamResponse = Dispatcher.ResponseData;

export interface UpstreamCall {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | string;
  signal: AbortSignal;
  /** Time allowed until the response headers arrive. */
  headersTimeoutMs: number;
}

export function callUpstream(call: UpstreamCall): Promise<UpstreamResponse> {
  const { origin, path } = splitUrl(call.url);
  // The agent's own request(): undici's top-level request() would parse the URL again.
  return upstreamAgent().request({
    origin,
    path,
    method: "POST",
    headers: { ...call.headers, "accept-encoding": "identity" },
    body: call.body,
    signal: call.signal,
    headersTimeout: call.headersTimeoutMs,
    // Between two chunks of a stream; generous, as a model may think for a while.
    bodyTimeout: 600_000,
  });
}

/**
 * An absolute http(s) URL as undici's dispatcher takes it: the origin, and the path with its
 * query. The upstream URLs are the gateway's own (a channel's base URL, checked when it was saved,
 * and a path), so a cut at the first slash after the host does; anything else is parsed.
 */
export function splitUrl(url: string): { origin: string; path: string } {
  const scheme = url.startsWith("https://") ? 8 : url.startsWith("http://") ? 7 : -1;
  const slash = scheme < 0 ? -1 : url.indexOf("/", scheme);
  if (slash > scheme && !/[?#@\\]/.test(url.slice(scheme, slash))) return { origin: url.slice(0, slash), path: url.slice(slash) };
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/** Whether an error means "never got an answer" (connect refused, reset, DNS, timeout). */
export function classifyUpstreamError(err: unknown): "timeout" | "connect" | "aborted" | "other" {
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) return "timeout";
  if (err instanceof undiciErrors.RequestAbortedError || (err as { name?: string })?.name === "AbortError") return "aborted";
  const code = (err as { code?: string })?.code;
  if (code && /^(ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|UND_ERR_SOCKET|UND_ERR_CLOSED)$/.test(code)) return "connect";
  return "other";
}

/** An upstream call's failure in a few words, with no URL, header or key in them: for the console. */
export function describeUpstreamFailure(err: unknown): string {
  const kind = classifyUpstreamError(err);
  if (kind === "timeout") return "timed out waiting for an answer";
  const code = (err as { code?: string })?.code;
  if (kind === "connect") return `could not connect (${code})`;
  if (kind === "aborted") return "aborted";
  return code && /^[A-Z][A-Z0-9_]{1,39}$/.test(code) ? `request failed (${code})` : "request failed";
}
