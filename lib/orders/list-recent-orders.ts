import "server-only";
import type { Prisma } from "@/lib/db";
import { toPage, type Page } from "@/lib/pagination";
import type { OrderSummary } from "./list-customer-orders";
import { orderCursor, orderKeyset, orderStatusWhere, type OrderListQuery } from "./order-list-query";
import { orderStatus } from "@/lib/time/order-status";

export type ConsoleOrderSummary = OrderSummary & { customerName: string; createdAt: Date };

/**
 * One page of every account's orders, for the console; `q` matches the order id, the account name or
 * a buyer's email address, `status` the status readers see at `now`.
 */
export async function listRecentOrders(db: Prisma, input: { query: OrderListQuery; take?: number; now?: Date }): Promise<Page<ConsoleOrderSummary>> {
  const now = input.now ?? new Date();
  const take = input.take ?? 50;
  const { q } = input.query;
  const { orderBy, after } = orderKeyset(input.query);
  const orders = await db.order.findMany({
    where: {
      AND: [
        q
          ? {
              OR: [
                { marketplaceOrderId: { contains: q, mode: "insensitive" } },
                { customer: { name: { contains: q, mode: "insensitive" } } },
                { customer: { users: { some: { email: { contains: q.toLowerCase() } } } } },
              ],
            }
          : {},
        orderStatusWhere(input.query.status, now),
        after,
      ],
    },
    orderBy,
    take: take + 1,
    select: {
      id: true,
      marketplaceOrderId: true,
      createdAt: true,
      accessStart: true,
      accessEnd: true,
      state: true,
      plan: { select: { name: true } },
      customer: { select: { name: true } },
    },
  });
  const page = toPage(orders, take, (o) => orderCursor(o, input.query));
  return {
    nextCursor: page.nextCursor,
    rows: page.rows.map((o) => ({
      id: o.id,
      marketplaceOrderId: o.marketplaceOrderId,
      planName: o.plan.name,
      customerName: o.customer.name,
      createdAt: o.createdAt,
      status: orderStatus(o, now),
      accessStart: o.accessStart,
      accessEnd: o.accessEnd,
    })),
  };
}
