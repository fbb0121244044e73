import "server-only";
import type { Prisma } from "@/lib/db";
import { listOrderKeys, type OrderKeyView } from "@/lib/keys";
import { orderStatus, type OrderStatus } from "@/lib/time/order-status";

export interface OrderView {
  id: string;
  marketplaceOrderId: string;
  status: OrderStatus;
  accessStart: Date;
  accessEnd: Date;
  endedAt: Date | null;
  plan: { name: string; models: string[]; selfRotate: boolean; rpm: number; tpm: number | null };
  /** The key in use (newest ACTIVE, else the newest), then the keys it replaced. */
  currentKey: OrderKeyView | null;
  previousKeys: OrderKeyView[];
}

/**
 * What the order page shows, for an order the caller was already allowed to see
 * (requireOrderAccess). Holds no secret: keys carry their mask parts and whether the one reveal
 * is still available.
 */
export async function getOrderView(db: Prisma, order: { id: string; planId: string }, now: Date = new Date()): Promise<OrderView> {
  const [full, plan, keys] = await Promise.all([
    db.order.findUniqueOrThrow({
      where: { id: order.id },
      select: { id: true, marketplaceOrderId: true, accessStart: true, accessEnd: true, state: true, endedAt: true },
    }),
    db.plan.findUniqueOrThrow({ where: { id: order.planId }, select: { name: true, models: true, selfRotate: true, rpm: true, tpm: true } }),
    listOrderKeys(db, order.id),
  ]);
  const currentKey = keys.find((k) => k.status === "ACTIVE") ?? keys[0] ?? null;
  return {
    id: full.id,
    marketplaceOrderId: full.marketplaceOrderId,
    status: orderStatus(full, now),
    accessStart: full.accessStart,
    accessEnd: full.accessEnd,
    endedAt: full.endedAt,
    plan,
    currentKey,
    previousKeys: keys.filter((k) => k !== currentKey),
  };
}
