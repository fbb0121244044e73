"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { staffAction, type ActionState } from "@/lib/actions";
import { formatUsd } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { adjustOrderCredit, cancelOrder, changeOrderWindow, changeReasonSchema, OrderChangeError } from "@/lib/orders";

export type OrderActionState = ActionState<{ status: "success"; message: string }>;

const orderId = z.string({ error: "The order is missing." }).trim().min(1).max(100);
const HOUR_MS = 3_600_000;

const windowSchema = z.object({
  orderId,
  direction: z.enum(["extend", "shorten"], { error: "Choose Extend or Shorten." }),
  amount: z.coerce
    .number({ error: "Enter a number." })
    .int({ error: "Enter a whole number." })
    .min(1, { error: "Enter at least 1." })
    .max(87_840, { error: "Enter at most 87,840 (ten years in hours)." }),
  unit: z.enum(["hours", "days"], { error: "Choose hours or days." }),
  reason: changeReasonSchema,
});

const cancelSchema = z.object({
  orderId,
  confirm: z.literal("yes", { error: "Tick the box to confirm that the key stops working at once." }),
  reason: changeReasonSchema,
});

const creditSchema = z.object({
  orderId,
  direction: z.enum(["add", "remove"], { error: "Choose Add or Remove." }),
  amountUsd: z
    .string({ error: "Enter an amount in US dollars." })
    .trim()
    .regex(/^\d{1,7}(\.\d{1,6})?$/, { error: "Enter an amount in US dollars, such as 10 or 2.50." }),
  reason: changeReasonSchema,
});

/** "12.5" → 12_500_000n, exactly (no floating point between the form and the ledger). */
function usdTextToMicros(text: string): bigint {
  const [whole = "0", fraction = ""] = text.split(".");
  return BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
}

const describeError = (error: unknown) => (error instanceof OrderChangeError ? error.message : undefined);
const invalidMessage = "Some of the details are not valid. Correct the marked fields.";

function done(id: string, message: string): OrderActionState {
  revalidatePath(`/console/orders/${id}`);
  return { status: "success", message };
}

// Console > Orders > an order: admins only. Each act needs a reason, is audited with the admin and
// the client IP, and reaches the gateway at once (lib/orders drops the order's cached keys on
// every instance).

export const changeOrderWindowAction = staffAction(
  "ADMIN",
  windowSchema,
  async ({ user, clientIp, input }): Promise<OrderActionState> => {
    const byMs = (input.direction === "extend" ? 1 : -1) * input.amount * (input.unit === "days" ? 24 : 1) * HOUR_MS;
    const result = await changeOrderWindow(getDb(), { orderId: input.orderId, byMs, reason: input.reason, actor: { userId: user.id, ip: clientIp } });
    return done(result.id, `Access now ends ${result.accessEnd.toISOString().replace("T", " ").slice(0, 16)} UTC.`);
  },
  { invalidMessage, describeError },
);

export const cancelOrderAction = staffAction(
  "ADMIN",
  cancelSchema,
  async ({ user, clientIp, input }): Promise<OrderActionState> => {
    const result = await cancelOrder(getDb(), { orderId: input.orderId, reason: input.reason, actor: { userId: user.id, ip: clientIp } });
    return done(result.id, `Order ${result.marketplaceOrderId} is cancelled; its key no longer works.`);
  },
  { invalidMessage, describeError },
);

export const adjustOrderCreditAction = staffAction(
  "ADMIN",
  creditSchema,
  async ({ user, clientIp, input }): Promise<OrderActionState> => {
    const micros = usdTextToMicros(input.amountUsd);
    const amountMicros = input.direction === "add" ? micros : -micros;
    if (amountMicros === 0n) return { status: "error", message: invalidMessage, fieldErrors: { amountUsd: ["Enter an amount other than zero."] } };
    const result = await adjustOrderCredit(getDb(), { orderId: input.orderId, amountMicros, reason: input.reason, actor: { userId: user.id, ip: clientIp } });
    return done(
      result.id,
      `${input.direction === "add" ? "Added" : "Removed"} ${formatUsd(micros)}. The balance is now ${formatUsd(result.balanceAfterMicros)}.`,
    );
  },
  { invalidMessage, describeError },
);
