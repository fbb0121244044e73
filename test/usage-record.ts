import { randomUUID } from "node:crypto";
import type { UsageRecord } from "@/lib/gateway/usage-writer";

/** A finished request as the usage writer takes it: a successful small chat completion on the order's key. */
export function usageRecord(order: { orderId: string; keyId: string; customerId: string }, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId: `req_${randomUUID()}`,
    apiKeyId: order.keyId,
    customerId: order.customerId,
    orderId: order.orderId,
    endpoint: "/v1/chat/completions",
    protocol: "openai",
    model: "gpt-4.1-mini",
    upstreamModel: "gpt-4.1-mini",
    stream: false,
    status: 200,
    errorCode: null,
    inputTokens: 10,
    outputTokens: 20,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costMicros: 37n,
    estimated: false,
    latencyMs: 5,
    ttfbMs: 3,
    channelId: null,
    clientIp: "127.0.0.1",
    failover: null,
    createdAt: new Date(),
    ...overrides,
  };
}
