import "server-only";
import type { Prisma } from "@/lib/db";
import { toPage, type Page } from "@/lib/pagination";
import { orderCursor, orderKeyset, type OrderListQuery } from "./order-list-query";
import { orderStatus, type OrderStatus } from "@/lib/time/order-status";

export interface OrderSummary {
  id: string;
  marketplaceOrderId: string;
  planName: string;
  status: OrderStatus;
  accessStart: Date;
  accessEnd: Date;
}

/** One page of one account's orders (newest first unless sorted), with the status derived from the clock. */
export async function listCustomerOrders(
  db: Prisma,
  input: { customerId: string; query: Pick<OrderListQuery, "sort" | "dir" | "cursor">; take?: number; now?: Date },
): Promise<Page<OrderSummary>> {
  const now = input.now ?? new Date();
  const take = input.take ?? 25;
  const { orderBy, after } = orderKeyset(input.query);
  const orders = await db.order.findMany({
    where: { AND: [{ customerId: input.customerId }, after] },
    orderBy,
    take: take + 1,
    select: { id: true, marketplaceOrderId: true, createdAt: true, accessStart: true, accessEnd: true, state: true, plan: { select: { name: true } } },
  });
  const page = toPage(orders, take, (o) => orderCursor(o, input.query));
  return {
    nextCursor: page.nextCursor,
    rows: page.rows.map((o) => ({
      id: o.id,
      marketplaceOrderId: o.marketplaceOrderId,
      planName: o.plan.name,
      status: orderStatus(o, now),
      accessStart: o.accessStart,
      accessEnd: o.accessEnd,
    })),
  };
}
