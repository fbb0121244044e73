import "server-only";
import type { Prisma } from "@/lib/db";
import type { OrderSummary } from "./list-customer-orders";
import { orderStatus } from "./order-status";

export type ConsoleOrderSummary = OrderSummary & { customerName: string };

/** The latest orders of every account, for the console. */
export async function listRecentOrders(db: Prisma, options: { take?: number; now?: Date } = {}): Promise<ConsoleOrderSummary[]> {
  const now = options.now ?? new Date();
  const orders = await db.order.findMany({
    orderBy: { createdAt: "desc" },
    take: options.take ?? 100,
    select: {
      id: true,
      marketplaceOrderId: true,
      accessStart: true,
      accessEnd: true,
      state: true,
      plan: { select: { name: true } },
      customer: { select: { name: true } },
    },
  });
  return orders.map((o) => ({
    id: o.id,
    marketplaceOrderId: o.marketplaceOrderId,
    planName: o.plan.name,
    customerName: o.customer.name,
    status: orderStatus(o, now),
    accessStart: o.accessStart,
    accessEnd: o.accessEnd,
  }));
}
