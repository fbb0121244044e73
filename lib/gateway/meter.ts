import "server-only";
import { computeCostMicros, type ModelPricing } from "@/lib/billing";
import { getDatabase } from "@/lib/db";
import type { Admission } from "./admit";
import type { Exchange } from "./forward-upstream";
import type { GatewayCall } from "./gateway-call";
import { recordUsage, type UsageRecord } from "./usage-writer";

/** Queues the call's log row (the usage writer batches it to the database). */
export function logCall(call: GatewayCall, log: Partial<UsageRecord>): void {
  const key = call.key;
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
    status: log.status ?? 200,
    errorCode: log.errorCode ?? null,
    inputTokens: log.inputTokens ?? 0,
    outputTokens: log.outputTokens ?? 0,
    cacheReadTokens: log.cacheReadTokens ?? 0,
    cacheWriteTokens: log.cacheWriteTokens ?? 0,
    costMicros: log.costMicros ?? 0n,
    estimated: log.estimated ?? false,
    latencyMs: Math.round(performance.now() - call.started),
    ttfbMs: log.ttfbMs ?? null,
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
  const log: Partial<UsageRecord> = {
    model: call.model ?? null,
    upstreamModel: d.upstreamModel,
    stream: d.stream,
    status: d.status,
    errorCode: d.errorCode,
    channelId: d.channelId,
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
