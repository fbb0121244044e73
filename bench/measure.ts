// The bench's three measurements: a closed-loop load test (autocannon, sub-millisecond latencies
// taken from its per-response timings rather than its whole-millisecond histogram), streaming
// time to first byte at c=1, and many slow streams held at once.
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  /** Socket errors, timeouts and non-2xx answers. */
  errors: number;
  non2xx: number;
  /** CPU ms the process under test used per answered request (all its threads). */
  cpuMsPerRequest?: number;
  /** Share of the phase its main thread was ready to run but waited for a core. */
  cpuWaitShare?: number;
  /** Latencies (ms) of the 2xx answers, sorted: for merging rounds. */
  latencies: number[];
  /** CPU ms and core-wait ms of the process under test over the phase, for merging rounds. */
  cpuMs?: number;
  waitMs?: number;
}

/** Several rounds of one measurement as one: requests and time summed, latencies pooled. */
export function mergeLoad(rounds: LoadResult[]): LoadResult {
  const latencies = rounds.flatMap((r) => r.latencies);
  const seconds = rounds.reduce((a, r) => a + r.seconds, 0);
  const merged = summarizeLoad(rounds[0]?.connections ?? 0, seconds, latencies, {
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
  });
  if (rounds.every((r) => r.cpuMs !== undefined)) {
    const cpuMs = rounds.reduce((a, r) => a + (r.cpuMs ?? 0), 0);
    const waitMs = rounds.reduce((a, r) => a + (r.waitMs ?? 0), 0);
    Object.assign(merged, { cpuMs, waitMs, cpuMsPerRequest: cpuMs / Math.max(1, merged.requests), cpuWaitShare: waitMs / (seconds * 1000) });
  }
  return merged;
}

/** What every autocannon run here shares: one request at a time per connection, no terminal output. */
const CLOSED_LOOP = { pipelining: 1, timeout: 30, renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false } as const;

/** Closed-loop load at `connections` for `seconds`; latency in ms of 2xx answers. */
export async function loadTest(target: Target, body: string, connections: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: target.url,
    method: "POST",
    headers: { "content-type": "application/json", ...target.headers },
    body,
    connections,
    duration: seconds,
    ...CLOSED_LOOP,
  });
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  return summarizeLoad(connections, result.duration, latencies, { errors: result.errors + result.timeouts + result.non2xx, non2xx: result.non2xx });
}

/**
 * Closed-loop GETs at `connections` for `seconds`, each request with the headers `perRequest()`
 * returns (a new credential every time, say). Every answer is counted whatever its status
 * (`latencies` holds them all; `statuses` says which they were): for measuring refusals.
 */
export async function loadTestGet(
  target: Target,
  perRequest: () => Record<string, string>,
  connections: number,
  seconds: number,
): Promise<LoadResult & { statuses: Record<string, number> }> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const instance = autocannon({
    url: target.url,
    method: "GET",
    headers: target.headers,
    connections,
    duration: seconds,
    ...CLOSED_LOOP,
    requests: [{ method: "GET", setupRequest: (request) => ({ ...request, headers: { ...target.headers, ...perRequest() } }) }],
  });
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  return { ...summarizeLoad(connections, result.duration, latencies, { errors: result.errors + result.timeouts, non2xx: result.non2xx }), statuses };
}

/** RPS, percentiles and mean of the 2xx latencies (sorted here) over `seconds`. */
function summarizeLoad(connections: number, seconds: number, latencies: number[], failures: { errors: number; non2xx: number }): LoadResult {
  latencies.sort((a, b) => a - b);
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    connections,
    seconds,
    requests: latencies.length,
    rps: latencies.length / Math.max(seconds, 1e-9),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    mean: latencies.length ? sum / latencies.length : Number.NaN,
    ...failures,
    latencies,
  };
}

interface Exchange {
  status: number;
  ttfbMs: number;
  totalMs: number;
  body: string;
}

/** One POST; times the first body byte and the end, from just before the request is sent. */
function exchange(target: Target, body: string, agent: Agent, extraHeaders: Record<string, string> = {}): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const url = new URL(target.url);
    const started = performance.now();
    let ttfb = -1;
    const req = request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...target.headers, ...extraHeaders },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (chunk: Buffer) => {
          if (ttfb < 0) ttfb = performance.now() - started;
          parts.push(chunk);
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, ttfbMs: ttfb, totalMs: performance.now() - started, body: Buffer.concat(parts).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A single request, for checking that a target answers as expected before it is measured. */
export async function probe(target: Target, body: string, extraHeaders: Record<string, string> = {}): Promise<Exchange> {
  const agent = new Agent({ keepAlive: false });
  try {
    return await exchange(target, body, agent, extraHeaders);
  } finally {
    agent.destroy();
  }
}

export interface TtfbResult {
  samples: number;
  p50: number;
  p99: number;
  /** Whole stream, for reference. */
  totalP50: number;
  errors: number;
}

/**
 * Sequential streaming requests, one keep-alive connection per target: time to the first body
 * byte. With several targets the samples alternate (a, b, a, b, ...) so drift on a shared machine
 * hits them alike.
 */
export async function streamTtfb(targets: Target[], body: string, samples: number, warmup = 20): Promise<TtfbResult[]> {
  const state = targets.map(() => ({ agent: new Agent({ keepAlive: true, maxSockets: 1 }), ttfb: [] as number[], total: [] as number[], errors: 0 }));
  try {
    for (let i = 0; i < warmup + samples; i++) {
      for (let t = 0; t < targets.length; t++) {
        const target = targets[t]!;
        const st = state[t]!;
        try {
          const r = await exchange(target, body, st.agent);
          if (r.status !== 200 || r.ttfbMs < 0 || !r.body.includes("[DONE]")) st.errors += 1;
          else if (i >= warmup) {
            st.ttfb.push(r.ttfbMs);
            st.total.push(r.totalMs);
          }
        } catch {
          st.errors += 1;
        }
      }
    }
  } finally {
    for (const st of state) st.agent.destroy();
  }
  return state.map((st) => {
    st.ttfb.sort((a, b) => a - b);
    st.total.sort((a, b) => a - b);
    return { samples: st.ttfb.length, p50: percentile(st.ttfb, 50), p99: percentile(st.ttfb, 99), totalP50: percentile(st.total, 50), errors: st.errors };
  });
}

export interface HoldResult {
  streams: number;
  completed: number;
  errors: number;
  /** The first few distinct error descriptions. */
  errorKinds: string[];
  /** Every error description with its count. */
  errorCounts: Record<string, number>;
  /** Most streams whose connection was open at once. */
  peakOpen: number;
  /** Most streams that had received their first byte and not yet ended, at once. */
  peakStreaming: number;
  ttfbP50: number;
  ttfbP99: number;
  durationP50: number;
  /** From the first request to the last stream's end. */
  wallSeconds: number;
}

/**
 * Opens `streams` slow streams (spread over `rampMs`, one connection each), keeps them all open,
 * and checks that each one ends properly with `data: [DONE]`. Anything still open at `deadlineMs`
 * is cut and counted as an error.
 */
export async function holdStreams(
  target: Target,
  body: string,
  options: { streams: number; rampMs: number; deadlineMs: number; extraHeaders?: Record<string, string> },
): Promise<HoldResult> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const url = new URL(target.url);
  const started = performance.now();
  let open = 0;
  let streaming = 0;
  let peakOpen = 0;
  let peakStreaming = 0;
  let completed = 0;
  const errors = new Map<string, number>();
  const ttfbs: number[] = [];
  const durations: number[] = [];
  const live = new Set<() => void>();
  const fail = (kind: string) => errors.set(kind, (errors.get(kind) ?? 0) + 1);

  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      let gotByte = false;
      let finished = false;
      let tailText = "";
      const finish = (error: string | null) => {
        if (finished) return;
        finished = true;
        live.delete(cut);
        open -= 1;
        if (gotByte) streaming -= 1;
        if (error) fail(error);
        else {
          completed += 1;
          durations.push(performance.now() - t0);
        }
        resolve();
      };
      const req = request(
        {
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...target.headers, ...options.extraHeaders },
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            finish(`HTTP ${res.statusCode}`);
            return;
          }
          res.on("data", (chunk: Buffer) => {
            if (!gotByte) {
              gotByte = true;
              streaming += 1;
              if (streaming > peakStreaming) peakStreaming = streaming;
              ttfbs.push(performance.now() - t0);
            }
            tailText = (tailText + chunk.toString("utf8")).slice(-64);
          });
          res.on("end", () => finish(tailText.includes("data: [DONE]") ? null : "stream ended without [DONE]"));
          res.on("error", (err) => finish(`response error: ${err.message}`));
          res.on("close", () => finish("connection closed mid-stream"));
        },
      );
      const cut = () => {
        req.destroy();
        finish("still open at the deadline");
      };
      live.add(cut);
      req.on("error", (err) => finish(`request error: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      open += 1;
      if (open > peakOpen) peakOpen = open;
      req.end(body);
    });

  const all: Promise<void>[] = [];
  const deadline = setTimeout(() => {
    for (const cut of [...live]) cut();
  }, options.deadlineMs);
  try {
    const gap = options.streams > 1 ? options.rampMs / (options.streams - 1) : 0;
    for (let i = 0; i < options.streams; i++) {
      all.push(one());
      // Spread the opening a little: a real burst of 1,000 connects would overflow the listen backlog.
      if (gap > 0 && i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, gap * 10));
    }
    await Promise.all(all);
  } finally {
    clearTimeout(deadline);
    agent.destroy();
  }
  ttfbs.sort((a, b) => a - b);
  durations.sort((a, b) => a - b);
  return {
    streams: options.streams,
    completed,
    errors: [...errors.values()].reduce((a, b) => a + b, 0),
    errorKinds: [...errors.entries()].slice(0, 5).map(([kind, n]) => `${n}× ${kind}`),
    errorCounts: Object.fromEntries(errors),
    peakOpen,
    peakStreaming,
    ttfbP50: percentile(ttfbs, 50),
    ttfbP99: percentile(ttfbs, 99),
    durationP50: percentile(durations, 50),
    wallSeconds: (performance.now() - started) / 1000,
  };
}
