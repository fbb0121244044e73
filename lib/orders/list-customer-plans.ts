import "server-only";
import type { Prisma } from "@/lib/db";
import { aliasesOf } from "@/lib/plans";
import { orderStatus } from "@/lib/time/order-status";

export interface CustomerPlanModels {
  marketplaceOrderId: string;
  planName: string;
  models: string[];
  /** The plan's aliases, alias → model. */
  aliases: Record<string, string>;
}

/** The models each of an account's current (active or not yet started) orders covers. */
export async function listCustomerPlans(db: Prisma, customerId: string, now: Date = new Date()): Promise<CustomerPlanModels[]> {
  const orders = await db.order.findMany({
    where: { customerId, state: "OPEN", accessEnd: { gt: now } },
    orderBy: { createdAt: "desc" },
    select: { marketplaceOrderId: true, state: true, accessStart: true, accessEnd: true, plan: { select: { name: true, models: true, modelAliases: true } } },
  });
  return orders
    .filter((o) => orderStatus(o, now) === "ACTIVE" || orderStatus(o, now) === "PENDING")
    .map((o) => ({
      marketplaceOrderId: o.marketplaceOrderId,
      planName: o.plan.name,
      models: o.plan.models,
      aliases: aliasesOf(o.plan.modelAliases, o.plan.models),
    }));
}
