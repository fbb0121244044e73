import "server-only";
import type { Prisma } from "@/lib/db";
import { LIVE_KEY_STATUSES, listOrderKeys, type OrderKeyView } from "@/lib/keys";
import { orderStatus, type OrderStatus } from "@/lib/time/order-status";

export interface OrderView {
  id: string;
  marketplaceOrderId: string;
  status: OrderStatus;
  accessStart: Date;
  accessEnd: Date;
  endedAt: Date | null;
  plan: { name: string; models: string[]; selfRotate: boolean; rpm: number; tpm: number | null; maxKeysPerOrder: number };
  /**
   * The keys in use, oldest first: the live ones (active or disabled); without any, the newest key
   * of any status, so the page still shows what became of it.
   */
  keys: OrderKeyView[];
  /** How many keys count toward the plan's keys per order (see LIVE_KEY_STATUSES). */
  liveKeyCount: number;
  /** The keys replaced or ended before, newest first. */
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
    db.plan.findUniqueOrThrow({
      where: { id: order.planId },
      select: { name: true, models: true, selfRotate: true, rpm: true, tpm: true, maxKeysPerOrder: true },
    }),
    listOrderKeys(db, order.id),
  ]);
  const live = keys.filter((k) => (LIVE_KEY_STATUSES as readonly string[]).includes(k.status)).reverse();
  const shown = live.length > 0 ? live : keys.slice(0, 1);
  return {
    id: full.id,
    marketplaceOrderId: full.marketplaceOrderId,
    status: orderStatus(full, now),
    accessStart: full.accessStart,
    accessEnd: full.accessEnd,
    endedAt: full.endedAt,
    plan,
    keys: shown,
    liveKeyCount: live.length,
    previousKeys: keys.filter((k) => !shown.includes(k)),
  };
}
