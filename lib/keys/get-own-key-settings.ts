import "server-only";
import type { ApiKeyStatus, SpendLimitPeriod } from "@/lib/db/types";
import type { Prisma } from "@/lib/db";
import { LIVE_KEY_STATUSES } from "./live-keys";

export interface OwnKeySettingsView {
  id: string;
  name: string;
  lastFour: string;
  status: ApiKeyStatus;
  orderId: string;
  marketplaceOrderId: string;
  planModels: string[];
  modelScope: string[];
  spendLimitMicros: bigint | null;
  spendLimitPeriod: SpendLimitPeriod;
  ipAllowlist: string[];
}

/**
 * One of the buyer's own live keys with what its settings page shows, or null when the key is
 * not the account's, not on that order, or no longer live. No secret leaves here.
 */
export async function getOwnKeySettings(db: Prisma, input: { customerId: string; orderId: string; keyId: string }): Promise<OwnKeySettingsView | null> {
  const key = await db.apiKey.findFirst({
    where: { id: input.keyId, orderId: input.orderId, status: { in: [...LIVE_KEY_STATUSES] }, order: { customerId: input.customerId } },
    select: {
      id: true,
      name: true,
      lastFour: true,
      status: true,
      modelScope: true,
      spendLimitMicros: true,
      spendLimitPeriod: true,
      ipAllowlist: true,
      order: { select: { id: true, marketplaceOrderId: true, plan: { select: { models: true } } } },
    },
  });
  if (!key) return null;
  const { order, ...rest } = key;
  return { ...rest, orderId: order.id, marketplaceOrderId: order.marketplaceOrderId, planModels: order.plan.models };
}
