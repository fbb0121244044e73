import "server-only";
import { computeCostMicros, type ModelPricing } from "@/lib/billing/compute-cost";
import type { Prisma } from "@/lib/db";
import { REQUEST_LOG_FIELDS, type RequestLogRow } from "./customer-log";

/** A row of the buyer's log with its protocol, its order and how its cost was computed. */
export interface CustomerRequest extends Omit<RequestLogRow, "id" | "keyName" | "orderLabel"> {
  protocol: string;
  /** The plan alias the client sent, when `model` was reached through one. */
  requestedModel: string | null;
  order: { id: string; marketplaceOrderId: string } | null;
  /**
   * How the cost was computed — today's price of the model and the plan's multiplier — when they
   * give exactly the cost that was charged (null when prices have changed since, or nothing was charged).
   */
  pricing: (ModelPricing & { multiplierBps: number }) | null;
}

/**
 * One request from the buyer's own request log by its id (what `x-request-id` carries), or null
 * when the account has no such request. What was logged only: never prompt or completion text.
 */
export async function getCustomerRequest(db: Prisma, input: { customerId: string; requestId: string }): Promise<CustomerRequest | null> {
  const row = await db.requestLog.findFirst({
    where: { requestId: input.requestId.trim(), customerId: input.customerId },
    select: {
      ...REQUEST_LOG_FIELDS,
      protocol: true,
      requestedModel: true,
      apiKeyId: true,
      orderId: true,
    },
  });
  if (!row) return null;
  const { apiKeyId, orderId, ...rest } = row;
  const [apiKey, order] = await Promise.all([
    apiKeyId ? db.apiKey.findFirst({ where: { id: apiKeyId, order: { customerId: input.customerId } }, select: { lastFour: true } }) : null,
    orderId
      ? db.order.findFirst({
          where: { id: orderId, customerId: input.customerId },
          select: { id: true, marketplaceOrderId: true, plan: { select: { multiplierBps: true } } },
        })
      : null,
  ]);
  let pricing: CustomerRequest["pricing"] = null;
  if (order && row.model && row.costMicros > 0n) {
    const price = await db.modelPrice.findUnique({
      where: { model: row.model },
      select: { inputMicrosPerM: true, outputMicrosPerM: true, cacheReadMicrosPerM: true, cacheWriteMicrosPerM: true },
    });
    if (price && computeCostMicros(row, price, order.plan.multiplierBps) === row.costMicros) pricing = { ...price, multiplierBps: order.plan.multiplierBps };
  }
  return { ...rest, keyLastFour: apiKey?.lastFour ?? null, order: order ? { id: order.id, marketplaceOrderId: order.marketplaceOrderId } : null, pricing };
}
