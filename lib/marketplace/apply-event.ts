import "server-only";
import { addLedgerEntry } from "@/lib/billing/ledger";
import { recordAudit, type Actor } from "@/lib/audit";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { invalidateOrderKeys } from "@/lib/gateway/key-cache";
import { createOrder, OrderInputError } from "@/lib/orders";
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
  | { kind: "order_ended"; orderId: string; marketplaceOrderId: string; alreadyEnded: boolean };

/**
 * Applies one verified marketplace event. `order.paid` creates the buyer, order, credit and a key
 * revealable once in the portal; `order.refunded` / `order.cancelled` end access at once. Throws
 * UnappliableEventError for data that cannot be applied (unknown plan, window ending before it
 * starts, refund of an order we never had).
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

  const state = event.event === "order.refunded" ? "REFUNDED" : "CANCELLED";
  const result = await db.$transaction(async (tx) => {
    const order = await tx.order.findUnique({ where: { marketplaceOrderId: event.order_id }, select: { id: true, state: true } });
    if (!order) throw new UnappliableEventError(`No order with the id ${event.order_id}.`);
    if (order.state !== "OPEN") return { orderId: order.id, alreadyEnded: true };
    // Guarded by state, so a refund and a cancellation racing each other end the order once.
    const ended = await tx.order.updateMany({ where: { id: order.id, state: "OPEN" }, data: { state, endedAt: now } });
    if (ended.count === 0) return { orderId: order.id, alreadyEnded: true };
    const { balanceMicros } = await tx.order.findUniqueOrThrow({ where: { id: order.id }, select: { balanceMicros: true } });
    if (balanceMicros !== 0n) {
      await addLedgerEntry(tx, { orderId: order.id, kind: "CREDIT_END", amountMicros: -balanceMicros, note: `Credit ended: order ${state.toLowerCase()}` });
    }
    await recordAudit(tx, {
      actor,
      action: state === "REFUNDED" ? "order.refunded" : "order.cancelled",
      targetType: "order",
      targetId: order.id,
      details: { marketplaceOrderId: event.order_id, endedAt: now.toISOString(), creditEndedMicros: balanceMicros.toString() },
    });
    return { orderId: order.id, alreadyEnded: false };
  });
  invalidateOrderKeys(result.orderId);
  return { kind: "order_ended", orderId: result.orderId, marketplaceOrderId: event.order_id, alreadyEnded: result.alreadyEnded };
}
