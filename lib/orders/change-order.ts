import "server-only";
import { addDays } from "date-fns";
import { z } from "zod";
import { recordAudit, type Actor } from "@/lib/audit";
import { addLedgerEntry, changeOrderBalance, type LedgerWriter } from "@/lib/billing/ledger";
import { formatUsd } from "@/lib/billing/money";
import { getSpendStore, type SpendStore } from "@/lib/billing/spend";
import type { Prisma } from "@/lib/db";
import type { PrismaTypes } from "@/lib/db/types";
import { invalidateOrderKeys } from "@/lib/gateway/key-cache";
import { safeText } from "@/lib/text/safe-text";

// Changes to an existing order: the staff's acts from the console (the window, cancelling, the
// credit) and the marketplace's renewal. Each writes its audit entry in the same transaction as
// the change, then makes the gateway see the change at once: the order's cached keys are dropped
// here and, through the cache bus, on every other instance; a credit change also moves the spend
// store the gateway checks.

/** A change that cannot be made as asked (the order is ended, the window would be empty, …). */
export class OrderChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OrderChangeError";
  }
}

/** Why staff changed an order: required, kept in the audit log. */
export const changeReasonSchema = safeText({ trim: true, multiline: false })
  .min(3, { error: "Give a reason of at least 3 characters." })
  .max(500, { error: "Keep the reason under 500 characters." });

/** The longest a single window change may move the end: ten years either way. */
const MAX_WINDOW_SHIFT_MS = 3660 * 86_400_000;

type TxClient = PrismaTypes.TransactionClient;

async function lockedOrder(tx: TxClient, orderId: string) {
  // FOR UPDATE: two changes of one order (two admins, or an admin and a renewal) apply one after
  // the other, each to what the other left.
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM orders WHERE id = ${orderId} FOR UPDATE`;
  if (locked.length === 0) throw new OrderChangeError("No such order.");
  return tx.order.findUniqueOrThrow({
    where: { id: orderId },
    select: {
      id: true,
      marketplaceOrderId: true,
      state: true,
      accessStart: true,
      accessEnd: true,
      balanceMicros: true,
      plan: { select: { name: true, durationDays: true, creditMicros: true } },
    },
  });
}

function refuseEnded(order: { state: string; marketplaceOrderId: string }, what: string): void {
  if (order.state !== "OPEN")
    throw new OrderChangeError(`Order ${order.marketplaceOrderId} was ${order.state.toLowerCase()}; its ${what} can no longer change.`);
}

export const orderWindowChangeSchema = z.object({
  orderId: z.string().min(1).max(100),
  /** Milliseconds to move the end by: positive extends, negative shortens. */
  byMs: z
    .number()
    .int()
    .refine((ms) => ms !== 0, { error: "Choose how much to move the end by." })
    .refine((ms) => Math.abs(ms) <= MAX_WINDOW_SHIFT_MS, { error: "Move the end by at most ten years." }),
  reason: changeReasonSchema,
});

/**
 * Moves an order's access end by `byMs` (extend or shorten). Refused for a cancelled or refunded
 * order and when the new end would not be after the start. A shortened window that ends in the
 * past ends access at once.
 */
export async function changeOrderWindow(db: Prisma, input: z.input<typeof orderWindowChangeSchema> & { actor: Actor }) {
  const { orderId, byMs, reason } = orderWindowChangeSchema.parse(input);
  const result = await db.$transaction(async (tx) => {
    const order = await lockedOrder(tx, orderId);
    refuseEnded(order, "access window");
    const accessEnd = new Date(order.accessEnd.getTime() + byMs);
    if (accessEnd.getTime() <= order.accessStart.getTime())
      throw new OrderChangeError("The access window would end before it starts. Shorten it by less, or cancel the order.");
    await tx.order.update({ where: { id: order.id }, data: { accessEnd } });
    await recordAudit(tx, {
      actor: input.actor,
      action: byMs > 0 ? "order.extended" : "order.shortened",
      targetType: "order",
      targetId: order.id,
      details: { marketplaceOrderId: order.marketplaceOrderId, from: order.accessEnd.toISOString(), to: accessEnd.toISOString(), reason },
    });
    return { id: order.id, marketplaceOrderId: order.marketplaceOrderId, previousEnd: order.accessEnd, accessEnd };
  });
  invalidateOrderKeys(result.id);
  return result;
}

/**
 * Ends an OPEN order now as CANCELLED or REFUNDED inside the caller's transaction: the remaining
 * credit is closed with a CREDIT_END entry and the act audited. Answers null when the order had
 * already ended (a refund and a cancellation racing end it once). The caller invalidates the
 * order's keys after the commit (`afterOrderEnded`).
 */
export async function endOrderInTransaction(
  tx: TxClient & LedgerWriter,
  input: { orderId: string; state: "CANCELLED" | "REFUNDED"; actor: Actor; now: Date; details?: Record<string, string> },
): Promise<{ creditEndedMicros: bigint } | null> {
  // Guarded by state, so two endings racing each other end the order once.
  const ended = await tx.order.updateMany({ where: { id: input.orderId, state: "OPEN" }, data: { state: input.state, endedAt: input.now } });
  if (ended.count === 0) return null;
  const { balanceMicros, marketplaceOrderId } = await tx.order.findUniqueOrThrow({
    where: { id: input.orderId },
    select: { balanceMicros: true, marketplaceOrderId: true },
  });
  if (balanceMicros !== 0n) {
    await addLedgerEntry(tx, {
      orderId: input.orderId,
      kind: "CREDIT_END",
      amountMicros: -balanceMicros,
      note: `Credit ended: order ${input.state.toLowerCase()}`,
      actorId: "userId" in input.actor ? input.actor.userId : undefined,
    });
  }
  await recordAudit(tx, {
    actor: input.actor,
    action: input.state === "REFUNDED" ? "order.refunded" : "order.cancelled",
    targetType: "order",
    targetId: input.orderId,
    details: { marketplaceOrderId, endedAt: input.now.toISOString(), creditEndedMicros: balanceMicros.toString(), ...input.details },
  });
  return { creditEndedMicros: balanceMicros };
}

/** After an ending committed: the gateway refuses the keys at once, everywhere, and the spend store forgets the credit. */
export async function afterOrderEnded(orderId: string, creditEndedMicros: bigint, store: SpendStore = getSpendStore()): Promise<void> {
  invalidateOrderKeys(orderId);
  if (creditEndedMicros !== 0n) await store.adjustBalance({ orderId, deltaMicros: -creditEndedMicros, balanceAfterMicros: 0n });
}

export const cancelOrderSchema = z.object({ orderId: z.string().min(1).max(100), reason: changeReasonSchema });

/** Staff cancel an order: access ends at once and the remaining credit with it. */
export async function cancelOrder(db: Prisma, input: z.input<typeof cancelOrderSchema> & { actor: Actor; now?: Date; store?: SpendStore }) {
  const { orderId, reason } = cancelOrderSchema.parse(input);
  const now = input.now ?? new Date();
  const result = await db.$transaction(async (tx) => {
    const order = await lockedOrder(tx, orderId);
    refuseEnded(order, "state");
    const ended = await endOrderInTransaction(tx, { orderId, state: "CANCELLED", actor: input.actor, now, details: { reason } });
    if (!ended) throw new OrderChangeError(`Order ${order.marketplaceOrderId} has already ended.`);
    return { id: order.id, marketplaceOrderId: order.marketplaceOrderId, creditEndedMicros: ended.creditEndedMicros };
  });
  await afterOrderEnded(result.id, result.creditEndedMicros, input.store);
  return result;
}

/** The most a single adjustment may move a balance: $1,000,000 either way. */
const MAX_ADJUSTMENT_MICROS = 1_000_000_000_000n;

export const creditAdjustmentSchema = z.object({
  orderId: z.string().min(1).max(100),
  /** Signed micro-dollars: positive adds credit, negative removes it. */
  amountMicros: z
    .bigint()
    .refine((m) => m !== 0n, { error: "Enter an amount other than zero." })
    .refine((m) => m <= MAX_ADJUSTMENT_MICROS && m >= -MAX_ADJUSTMENT_MICROS, { error: "Adjust by at most $1,000,000 at a time." }),
  reason: changeReasonSchema,
});

/**
 * Adds credit to an order or removes some (an ADJUSTMENT ledger entry, through the ledger, with the
 * admin and the reason). Refused for an ended order, for a plan without credit (its orders have no
 * balance to spend), and for a removal larger than the balance: checked against the balance the
 * ledger write itself returns, so two removals at once cannot both pass.
 */
export async function adjustOrderCredit(db: Prisma, input: z.input<typeof creditAdjustmentSchema> & { actor: Actor; store?: SpendStore }) {
  const { orderId, amountMicros, reason } = creditAdjustmentSchema.parse(input);
  const order = await db.order.findUnique({
    where: { id: orderId },
    select: { id: true, marketplaceOrderId: true, state: true, plan: { select: { creditMicros: true } } },
  });
  if (!order) throw new OrderChangeError("No such order.");
  refuseEnded(order, "credit");
  if (order.plan.creditMicros === 0n) throw new OrderChangeError("This order's plan has no credit: its requests are limited by time and rate only.");
  const balanceAfterMicros = await changeOrderBalance(
    db,
    input.store ?? getSpendStore(),
    { orderId, kind: "ADJUSTMENT", amountMicros, note: reason, actorId: "userId" in input.actor ? input.actor.userId : undefined },
    {
      alongside: async (tx, after) => {
        if (after < 0n) throw new OrderChangeError(`The balance is ${formatUsd(after - amountMicros)}; remove at most that.`);
        // The order may have ended since it was read above: the ledger write locked its row.
        const { state } = await tx.order.findUniqueOrThrow({ where: { id: orderId }, select: { state: true } });
        refuseEnded({ state, marketplaceOrderId: order.marketplaceOrderId }, "credit");
        await recordAudit(tx, {
          actor: input.actor,
          action: "order.credit_adjusted",
          targetType: "order",
          targetId: orderId,
          details: { marketplaceOrderId: order.marketplaceOrderId, amountMicros: amountMicros.toString(), balanceAfterMicros: after.toString(), reason },
        });
      },
    },
  );
  invalidateOrderKeys(orderId);
  return { id: orderId, marketplaceOrderId: order.marketplaceOrderId, amountMicros, balanceAfterMicros };
}

/**
 * The marketplace renewed an order: its access end moves to `accessEnd` (which must be later than
 * the current end), or by the plan's duration from the later of the current end and now; the
 * plan's credit is added again. The keys stay as they are: the buyer keeps using the same key.
 */
export async function renewOrder(
  db: Prisma,
  input: { marketplaceOrderId: string; accessEnd?: Date; planName?: string; actor: Actor; now?: Date; store?: SpendStore },
) {
  const now = input.now ?? new Date();
  const result = await db.$transaction(async (tx) => {
    const found = await tx.order.findUnique({ where: { marketplaceOrderId: input.marketplaceOrderId }, select: { id: true } });
    if (!found) throw new OrderChangeError(`No order with the id ${input.marketplaceOrderId}.`);
    const order = await lockedOrder(tx, found.id);
    if (order.state !== "OPEN") throw new OrderChangeError(`Order ${order.marketplaceOrderId} was ${order.state.toLowerCase()}; it cannot be renewed.`);
    if (input.planName !== undefined && input.planName !== order.plan.name) {
      throw new OrderChangeError(`The renewal names the plan "${input.planName}" but the order is on "${order.plan.name}"; a renewal cannot change the plan.`);
    }
    const from = order.accessEnd.getTime() > now.getTime() ? order.accessEnd : now;
    const accessEnd = input.accessEnd ?? addDays(from, order.plan.durationDays);
    if (accessEnd.getTime() <= order.accessEnd.getTime()) {
      throw new OrderChangeError(`access_end ${accessEnd.toISOString()} is not later than the order's current end ${order.accessEnd.toISOString()}.`);
    }
    await tx.order.update({ where: { id: order.id }, data: { accessEnd } });
    const credit = order.plan.creditMicros;
    const balanceAfterMicros =
      credit > 0n
        ? await addLedgerEntry(tx, { orderId: order.id, kind: "PLAN_CREDIT", amountMicros: credit, note: `Credit included in ${order.plan.name} (renewal)` })
        : null;
    await recordAudit(tx, {
      actor: input.actor,
      action: "order.renewed",
      targetType: "order",
      targetId: order.id,
      details: {
        marketplaceOrderId: order.marketplaceOrderId,
        from: order.accessEnd.toISOString(),
        to: accessEnd.toISOString(),
        creditMicros: credit.toString(),
      },
    });
    return { id: order.id, marketplaceOrderId: order.marketplaceOrderId, previousEnd: order.accessEnd, accessEnd, creditMicros: credit, balanceAfterMicros };
  });
  invalidateOrderKeys(result.id);
  if (result.balanceAfterMicros !== null) {
    await (input.store ?? getSpendStore()).adjustBalance({
      orderId: result.id,
      deltaMicros: result.creditMicros,
      balanceAfterMicros: result.balanceAfterMicros,
    });
  }
  return result;
}
