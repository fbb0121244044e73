import "server-only";
import type { Prisma } from "@/lib/db";

/** The banner's window: the last 24 hours of access. */
export const ENDING_SOON_MS = 24 * 60 * 60 * 1000;

export interface OrderEndingSoon {
  id: string;
  marketplaceOrderId: string;
  accessEnd: Date;
}

/** The account's open orders whose access ends within the next 24 hours, soonest first. */
export async function listOrdersEndingSoon(db: Prisma, input: { customerId: string; now?: Date }): Promise<OrderEndingSoon[]> {
  const now = input.now ?? new Date();
  return db.order.findMany({
    where: { customerId: input.customerId, state: "OPEN", accessStart: { lte: now }, accessEnd: { gt: now, lte: new Date(now.getTime() + ENDING_SOON_MS) } },
    orderBy: { accessEnd: "asc" },
    take: 5,
    select: { id: true, marketplaceOrderId: true, accessEnd: true },
  });
}
