import "server-only";
import type { Actor } from "@/lib/audit";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { afterOrderEnded, createOrder, endOrderInTransaction, OrderChangeError, OrderInputError, renewOrder } from "@/lib/orders";
import type { MarketplaceEvent } from "./event-schema";

/** An authentic event that cannot be applied as it stands; stored as FAILED with this reason. */
export class UnappliableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnappliableEventError";
  }
}

export type AppliedEvent =
  | { kind: "order_created"; orderId: string; marketplaceOrderId: string; email: string }
  | { kind: "order_ended"; orderId: string; marketplaceOrderId: string; alreadyEnded: boolean }
  | { kind: "order_renewed"; orderId: string; marketplaceOrderId: string; accessEnd: Date };

/**
 * Applies one verified marketplace event. `order.paid` creates the buyer, order, credit and a key
 * revealable once in the portal; `order.refunded` / `order.cancelled` end access at once;
 * `order.renewed` lengthens the window and adds the plan's credit again, keeping the key. Throws
 * UnappliableEventError for data that cannot be applied (unknown plan, window ending before it
 * starts, refund or renewal of an order we never had, renewal of an ended order).
 */
export async function applyMarketplaceEvent(
  db: Prisma,
  event: MarketplaceEvent,
  options: { keys: SecretKeys; actor?: Actor; now?: Date },
): Promise<AppliedEvent> {
  const now = options.now ?? new Date();
  const actor: Actor = options.actor ?? { label: "webhook" };
  if (event.event === "order.paid") {
    if (event.access_end && !event.access_start && event.access_end.getTime() <= now.getTime()) {
      throw new UnappliableEventError("access_end is in the past and no access_start was given.");
    }
    try {
      const created = await createOrder(db, {
        email: event.email ?? "",
        planName: event.plan ?? "",
        marketplaceOrderId: event.order_id,
        accessStart: event.access_start,
        accessEnd: event.access_end,
        source: "MARKETPLACE",
        delivery: "reveal",
        actor,
        keys: options.keys,
        now,
      });
      return { kind: "order_created", orderId: created.order.id, marketplaceOrderId: created.order.marketplaceOrderId, email: event.email ?? "" };
    } catch (err) {
      if (err instanceof OrderInputError) throw new UnappliableEventError(err.message);
      throw err;
    }
  }

  if (event.event === "order.renewed") {
    try {
      const renewed = await renewOrder(db, { marketplaceOrderId: event.order_id, accessEnd: event.access_end, planName: event.plan, actor, now });
      return { kind: "order_renewed", orderId: renewed.id, marketplaceOrderId: renewed.marketplaceOrderId, accessEnd: renewed.accessEnd };
    } catch (err) {
      if (err instanceof OrderChangeError) throw new UnappliableEventError(err.message);
      throw err;
    }
  }
  const state = event.event === "order.refunded" ? "REFUNDED" : "CANCELLED";
  const result = await db.$transaction(async (tx) => {
    const order = await tx.order.findUnique({ where: { marketplaceOrderId: event.order_id }, select: { id: true, state: true } });
    if (!order) throw new UnappliableEventError(`No order with the id ${event.order_id}.`);
    if (order.state !== "OPEN") return { orderId: order.id, ended: null };
    return { orderId: order.id, ended: await endOrderInTransaction(tx, { orderId: order.id, state, actor, now }) };
  });
  if (result.ended) await afterOrderEnded(result.orderId, result.ended.creditEndedMicros);
  return { kind: "order_ended", orderId: result.orderId, marketplaceOrderId: event.order_id, alreadyEnded: result.ended === null };
}
