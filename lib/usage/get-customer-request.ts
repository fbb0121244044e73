import "server-only";
import type { Prisma } from "@/lib/db";

export interface CustomerRequest {
  requestId: string;
  createdAt: Date;
  endpoint: string;
  protocol: string;
  model: string | null;
  stream: boolean;
  status: number;
  errorCode: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costMicros: bigint;
  estimated: boolean;
  latencyMs: number;
  ttfbMs: number | null;
  keyLastFour: string | null;
  order: { id: string; marketplaceOrderId: string } | null;
}

/**
 * One request from the buyer's own request log by its id (what `x-request-id` carries), or null
 * when the account has no such request. What was logged only: never prompt or completion text.
 */
export async function getCustomerRequest(db: Prisma, input: { customerId: string; requestId: string }): Promise<CustomerRequest | null> {
  const row = await db.requestLog.findFirst({
    where: { requestId: input.requestId.trim(), customerId: input.customerId },
    select: {
      requestId: true,
      createdAt: true,
      endpoint: true,
      protocol: true,
      model: true,
      stream: true,
      status: true,
      errorCode: true,
      inputTokens: true,
      outputTokens: true,
      cacheReadTokens: true,
      cacheWriteTokens: true,
      costMicros: true,
      estimated: true,
      latencyMs: true,
      ttfbMs: true,
      apiKey: { select: { lastFour: true } },
      order: { select: { id: true, marketplaceOrderId: true } },
    },
  });
  if (!row) return null;
  const { apiKey, ...rest } = row;
  return { ...rest, keyLastFour: apiKey?.lastFour ?? null };
}
