import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { processSingleton } from "@/lib/server/process-singleton";

/**
 * The process's Prometheus metrics, served at /metrics (lib/metrics/render-metrics.ts). One
 * registry per process (server.ts answers the gateway from its own bundle, Next serves /metrics
 * from another; see process-singleton.ts), so what the gateway counts is what a scrape reads.
 *
 * Labels are bounded: the endpoint is a route of the gateway's table, the model is named only
 * once a channel took the request (so it is a catalog model, never whatever a client typed), the
 * channel is a configured channel's name.
 */
export interface GatewayMetrics {
  registry: Registry;
  requests: Counter<"endpoint" | "status" | "model" | "channel">;
  duration: Histogram<"endpoint">;
  ttfb: Histogram<"endpoint">;
  upstreamFailures: Counter<"channel" | "outcome">;
  failovers: Counter<"endpoint">;
  reservations: Gauge;
  /** Read at scrape time: the usage writer's queue and what it set aside. */
  setMeteringSource(read: () => { queued: number; deadLettered: number }): void;
}

/** Buckets for whole requests (a stream can last minutes) and for the first byte. */
const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TTFB_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function gatewayMetrics(): GatewayMetrics {
  return processSingleton("metrics", createGatewayMetrics);
}

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "gatehouse_" });
  let readMetering: () => { queued: number; deadLettered: number } = () => ({ queued: 0, deadLettered: 0 });
  new Gauge({
    name: "gatehouse_metering_queue_depth",
    help: "Usage records waiting to be written to the database.",
    registers: [registry],
    collect() {
      this.set(readMetering().queued);
    },
  });
  new Gauge({
    name: "gatehouse_metering_dead_lettered",
    help: "Usage records the database refused, set aside since the process started.",
    registers: [registry],
    collect() {
      this.set(readMetering().deadLettered);
    },
  });
  return {
    registry,
    requests: new Counter({
      name: "gatehouse_gateway_requests_total",
      help: "Gateway requests answered, by endpoint, status, model and channel.",
      labelNames: ["endpoint", "status", "model", "channel"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "gatehouse_gateway_request_duration_seconds",
      help: "Time from a gateway request's arrival to its last byte.",
      labelNames: ["endpoint"],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
    ttfb: new Histogram({
      name: "gatehouse_gateway_ttfb_seconds",
      help: "Time from a forwarded request's arrival to the upstream's first byte.",
      labelNames: ["endpoint"],
      buckets: TTFB_BUCKETS,
      registers: [registry],
    }),
    upstreamFailures: new Counter({
      name: "gatehouse_upstream_failures_total",
      help: "Upstream attempts that failed and were passed to the next channel, by channel and outcome.",
      labelNames: ["channel", "outcome"],
      registers: [registry],
    }),
    failovers: new Counter({
      name: "gatehouse_gateway_failovers_total",
      help: "Gateway requests on which at least one channel failed before another was tried.",
      labelNames: ["endpoint"],
      registers: [registry],
    }),
    reservations: new Gauge({
      name: "gatehouse_spend_reservations_outstanding",
      help: "Spend reservations this process holds for requests in flight.",
      registers: [registry],
    }),
    setMeteringSource(read) {
      readMetering = read;
    },
  };
}

export interface ObservedCall {
  endpoint: string;
  status: number;
  model: string | null;
  channel: string | null;
  latencyMs: number;
  ttfbMs: number | null;
  failover: readonly { channel: string; outcome: string }[] | undefined;
}

/** Counts one answered gateway request. Cheap: a few map lookups, no allocation beyond labels. */
export function observeGatewayCall(call: ObservedCall, metrics: GatewayMetrics = gatewayMetrics()): void {
  const channel = call.channel ?? "none";
  metrics.requests.inc({ endpoint: call.endpoint, status: String(call.status), model: call.channel ? (call.model ?? "none") : "none", channel });
  metrics.duration.observe({ endpoint: call.endpoint }, call.latencyMs / 1000);
  if (call.ttfbMs !== null) metrics.ttfb.observe({ endpoint: call.endpoint }, call.ttfbMs / 1000);
  if (call.failover && call.failover.length > 0) {
    metrics.failovers.inc({ endpoint: call.endpoint });
    for (const attempt of call.failover) metrics.upstreamFailures.inc({ channel: attempt.channel, outcome: attempt.outcome });
  }
}
