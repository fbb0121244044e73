import "server-only";
import { addLedgerEntry } from "@/lib/billing/ledger";
import { safeText } from "@/lib/text/safe-text";
import { randomBytes } from "node:crypto";
import { addDays } from "date-fns";
import { z } from "zod";
import type { OrderSource } from "@/lib/db/types";
import { recordAudit, type Actor } from "@/lib/audit";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { invalidateKey } from "@/lib/gateway/key-cache";
import { issueApiKey } from "@/lib/keys";

export class OrderInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OrderInputError";
  }
}

export const createOrderInputSchema = z.object({
  email: z.email().transform((e) => e.trim().toLowerCase()),
  planName: safeText({ trim: true }).min(1).max(200),
  marketplaceOrderId: safeText({ trim: true }).min(1).max(120).optional(),
  accessStart: z.date().optional(),
  accessEnd: z.date().optional(),
  days: z.number().positive().max(3660).optional(),
});

export type CreateOrderInput = z.input<typeof createOrderInputSchema> & {
  source: OrderSource;
  /** "reveal": the buyer reveals the key once in the portal; "handout": the caller prints it now. */
  delivery: "reveal" | "handout";
  actor: Actor;
  keys: SecretKeys;
  now?: Date;
};

/** A marketplace-style order id for orders created outside the marketplace. */
function newOrderId(source: OrderSource): string {
  return `${source === "CLI" ? "CLI" : "GH"}-${randomBytes(5).toString("hex").toUpperCase()}`;
}

/**
 * Creates an order with its access window, the buyer (and their customer account) if new, the
 * plan's credit as the first ledger entry, and one API key — all in one transaction, audited.
 * The plaintext key is returned only for "handout" delivery.
 */
export async function createOrder(db: Prisma, input: CreateOrderInput) {
  const parsed = createOrderInputSchema.parse(input);
  const now = input.now ?? new Date();
  const { hmac, ...created } = await db.$transaction(async (tx) => {
    const plan = await tx.plan.findUnique({ where: { name: parsed.planName } });
    if (!plan || !plan.active) throw new OrderInputError(`Unknown plan "${parsed.planName}".`);
    const accessStart = parsed.accessStart ?? now;
    const accessEnd = parsed.accessEnd ?? addDays(accessStart, parsed.days ?? plan.durationDays);
    if (accessEnd.getTime() <= accessStart.getTime()) throw new OrderInputError("The access window ends before it starts.");
    const marketplaceOrderId = parsed.marketplaceOrderId ?? newOrderId(input.source);
    if (await tx.order.findUnique({ where: { marketplaceOrderId }, select: { id: true } })) {
      throw new OrderInputError(`An order with the id ${marketplaceOrderId} already exists.`);
    }

    let user = await tx.user.findUnique({ where: { email: parsed.email }, select: { id: true, customerId: true } });
    user ??= await tx.user.create({ data: { email: parsed.email }, select: { id: true, customerId: true } });
    let customerId = user.customerId;
    if (!customerId) {
      customerId = (await tx.customer.create({ data: { name: parsed.email }, select: { id: true } })).id;
      await tx.user.update({ where: { id: user.id }, data: { customerId } });
    }

    const order = await tx.order.create({
      data: { marketplaceOrderId, customerId, planId: plan.id, accessStart, accessEnd, source: input.source },
    });
    if (plan.creditMicros > 0n) {
      await addLedgerEntry(tx, { orderId: order.id, kind: "PLAN_CREDIT", amountMicros: plan.creditMicros, note: `Credit included in ${plan.name}` });
    }
    const key = await issueApiKey(tx, { orderId: order.id, delivery: input.delivery, keys: input.keys, now });
    await recordAudit(tx, {
      actor: input.actor,
      action: "order.created",
      targetType: "order",
      targetId: order.id,
      details: {
        marketplaceOrderId,
        email: parsed.email,
        plan: plan.name,
        accessStart: accessStart.toISOString(),
        accessEnd: accessEnd.toISOString(),
        source: input.source,
      },
    });
    if (input.delivery === "handout") {
      await recordAudit(tx, {
        actor: input.actor,
        action: "api_key.handed_out",
        targetType: "api_key",
        targetId: key.id,
        details: { orderId: order.id, lastFour: key.lastFour },
      });
    }
    return {
      order,
      plan,
      userId: user.id,
      customerId,
      apiKey: { id: key.id, lastFour: key.lastFour, key: input.delivery === "handout" ? key.key : undefined },
      hmac: key.hmac,
    };
  });
  // The new key works at once on every instance, even one that was sent it before it existed.
  invalidateKey(hmac);
  return created;
}
