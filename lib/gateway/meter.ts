import "server-only";
import { computeCostMicros, type ModelPricing } from "@/lib/billing";
import { getDatabase } from "@/lib/db";
import { observeGatewayCall } from "@/lib/metrics";
import type { Admission } from "./admit";
import type { Exchange } from "./forward-upstream";
import type { GatewayCall } from "./gateway-call";
import { recordUsage, type UsageRecord } from "./usage-writer";

/** What a call's end adds to its log row; the channel's name is for the metrics only. */
export type CallOutcome = Partial<UsageRecord> & { channelName?: string | null };

/**
 * Queues the call's log row (the usage writer batches it to the database) and counts the call.
 * `persist: false` counts it only: for refusals a client can repeat without end at no cost to
 * itself (a blocked flood of unknown keys), which would otherwise fill the request log.
 */
export function logCall(call: GatewayCall, log: CallOutcome, persist = true): void {
  const key = call.key;
  const latencyMs = Math.round(performance.now() - call.started);
  const status = log.status ?? 200;
  const ttfbMs = log.ttfbMs ?? null;
  observeGatewayCall({
    endpoint: call.endpoint,
    status,
    model: log.model ?? null,
    channel: log.channelName ?? null,
    latencyMs,
    ttfbMs,
    failover: call.failover ?? undefined,
  });
  if (!persist) return;
  // One object of a fixed shape, not defaults spread with the outcome: this runs for every request.
  recordUsage(getDatabase, {
    requestId: call.requestId,
    apiKeyId: key?.id ?? null,
    customerId: key?.order.customerId ?? null,
    orderId: key?.order.id ?? null,
    endpoint: call.endpoint,
    protocol: call.protocol,
    model: log.model ?? null,
    requestedModel: call.requestedModel ?? null,
    upstreamModel: log.upstreamModel ?? null,
    stream: log.stream ?? false,
    status,
    errorCode: log.errorCode ?? null,
    inputTokens: log.inputTokens ?? 0,
    outputTokens: log.outputTokens ?? 0,
    cacheReadTokens: log.cacheReadTokens ?? 0,
    cacheWriteTokens: log.cacheWriteTokens ?? 0,
    costMicros: log.costMicros ?? 0n,
    estimated: log.estimated ?? false,
    latencyMs,
    ttfbMs,
    channelId: log.channelId ?? null,
    clientIp: call.clientIp,
    failover: call.failover,
    createdAt: new Date(call.startedAt),
  });
}

/**
 * The last step: the exchange is over. Prices the tokens forwarding counted (at the plan's
 * multiplier), settles the admission's reservation to that cost, then queues the log row (a
 * balance never lags a logged cost).
 */
export function meterExchange(call: GatewayCall, admission: Admission, price: ModelPricing | undefined, multiplierBps: number, d: Exchange): void {
  const usage = d.usage;
  const costMicros = usage && price ? computeCostMicros(usage, price, multiplierBps) : 0n;
  const log: CallOutcome = {
    model: call.model ?? null,
    upstreamModel: d.upstreamModel,
    stream: d.stream,
    status: d.status,
    errorCode: d.errorCode,
    channelId: d.channelId,
    channelName: d.channelName,
    ttfbMs: d.ttfbMs,
    costMicros,
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cacheReadTokens: usage?.cacheReadTokens ?? 0,
    cacheWriteTokens: usage?.cacheWriteTokens ?? 0,
    estimated: usage?.estimated ?? false,
  };
  const tokens = (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0) + (usage?.cacheReadTokens ?? 0) + (usage?.cacheWriteTokens ?? 0);
  const charged = admission.finish({ costMicros, tokens });
  if (charged instanceof Promise) void charged.then(() => logCall(call, log));
  else logCall(call, log);
}
