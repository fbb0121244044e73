import "server-only";
import type { Prisma } from "@/lib/db";
import { orderStatus, type OrderStatus } from "./order-status";

export interface OrderSummary {
  id: string;
  marketplaceOrderId: string;
  planName: string;
  status: OrderStatus;
  accessStart: Date;
  accessEnd: Date;
}

/** One account's orders, newest first, with the status derived from the clock. */
export async function listCustomerOrders(db: Prisma, customerId: string, now: Date = new Date()): Promise<OrderSummary[]> {
  const orders = await db.order.findMany({
    where: { customerId },
    orderBy: { createdAt: "desc" },
    select: { id: true, marketplaceOrderId: true, accessStart: true, accessEnd: true, state: true, plan: { select: { name: true } } },
  });
  return orders.map((o) => ({
    id: o.id,
    marketplaceOrderId: o.marketplaceOrderId,
    planName: o.plan.name,
    status: orderStatus(o, now),
    accessStart: o.accessStart,
    accessEnd: o.accessEnd,
  }));
}
