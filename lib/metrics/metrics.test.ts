import { describe, expect, it } from "vitest";
import { createGatewayMetrics, observeGatewayCall } from "./gateway-metrics";
import { metricsResponse } from "./metrics-response";

const TOKEN = "scrape-token-0123456789";

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe("gateway metrics", () => {
  it("counts calls by endpoint, status, model and channel; names the model only when a channel took the call", async () => {
    const metrics = createGatewayMetrics();
    const base = { endpoint: "/v1/chat/completions", latencyMs: 120, ttfbMs: 40, failover: undefined };
    observeGatewayCall({ ...base, status: 200, model: "gpt-4.1-mini", channel: "OpenAI (mock)" }, metrics);
    observeGatewayCall({ ...base, status: 200, model: "gpt-4.1-mini", channel: "OpenAI (mock)" }, metrics);
    // Refused before any channel: whatever model the client named stays out of the labels.
    observeGatewayCall({ ...base, status: 404, model: "gpt-<script>", channel: null, ttfbMs: null }, metrics);
    const text = await metrics.registry.metrics();
    expect(sample(text, "gatehouse_gateway_requests_total", { status: "200", model: "gpt-4.1-mini", channel: "OpenAI (mock)" })).toBe(2);
    expect(sample(text, "gatehouse_gateway_requests_total", { status: "404", model: "none", channel: "none" })).toBe(1);
    expect(text).not.toContain("<script>");
    expect(sample(text, "gatehouse_gateway_request_duration_seconds_count", { endpoint: "/v1/chat/completions" })).toBe(3);
    expect(sample(text, "gatehouse_gateway_request_duration_seconds_bucket", { endpoint: "/v1/chat/completions", le: "0.25" })).toBe(3);
    expect(sample(text, "gatehouse_gateway_ttfb_seconds_count", { endpoint: "/v1/chat/completions" })).toBe(2);
    expect(sample(text, "gatehouse_gateway_ttfb_seconds_bucket", { endpoint: "/v1/chat/completions", le: "0.025" })).toBe(0);
    expect(sample(text, "gatehouse_gateway_ttfb_seconds_bucket", { endpoint: "/v1/chat/completions", le: "0.05" })).toBe(2);
  });

  it("counts failovers and each failed attempt by channel and outcome", async () => {
    const metrics = createGatewayMetrics();
    observeGatewayCall(
      {
        endpoint: "/v1/messages",
        status: 200,
        model: "claude-sonnet-4-6",
        channel: "Anthropic B",
        latencyMs: 900,
        ttfbMs: 500,
        failover: [
          { channel: "Anthropic A", outcome: "HTTP 503" },
          { channel: "Anthropic C", outcome: "timeout" },
        ],
      },
      metrics,
    );
    const text = await metrics.registry.metrics();
    expect(sample(text, "gatehouse_gateway_failovers_total", { endpoint: "/v1/messages" })).toBe(1);
    expect(sample(text, "gatehouse_upstream_failures_total", { channel: "Anthropic A", outcome: "HTTP 503" })).toBe(1);
    expect(sample(text, "gatehouse_upstream_failures_total", { channel: "Anthropic C", outcome: "timeout" })).toBe(1);
  });

  it("reads the metering queue at scrape time and keeps the reservations gauge", async () => {
    const metrics = createGatewayMetrics();
    let queued = 3;
    metrics.setMeteringSource(() => ({ queued, deadLettered: 1 }));
    metrics.reservations.inc();
    metrics.reservations.inc();
    metrics.reservations.dec();
    let text = await metrics.registry.metrics();
    expect(sample(text, "gatehouse_metering_queue_depth", {})).toBe(3);
    expect(sample(text, "gatehouse_metering_dead_lettered", {})).toBe(1);
    expect(sample(text, "gatehouse_spend_reservations_outstanding", {})).toBe(1);
    queued = 0;
    text = await metrics.registry.metrics();
    expect(sample(text, "gatehouse_metering_queue_depth", {})).toBe(0);
    // The process's own figures come along (CPU, memory, event-loop lag).
    expect(text).toContain("gatehouse_process_resident_memory_bytes");
  });
});

describe("GET /metrics", () => {
  const get = (authorization?: string) => new Request("http://gw/metrics", { headers: authorization ? { authorization } : {} });

  it("does not exist without METRICS_TOKEN", async () => {
    expect((await metricsResponse(get(`Bearer ${TOKEN}`), undefined)).status).toBe(404);
  });

  it("refuses a missing or wrong token with a 401 that shows nothing", async () => {
    for (const header of [undefined, "Bearer nope", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, TOKEN]) {
      const res = await metricsResponse(get(header), TOKEN);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(await res.text()).not.toContain("gatehouse_");
    }
  });

  it("serves the Prometheus text format for the right token", async () => {
    const res = await metricsResponse(get(`Bearer ${TOKEN}`), TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toContain("# TYPE gatehouse_gateway_requests_total counter");
  });
});
