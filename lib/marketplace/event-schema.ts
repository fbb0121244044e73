import { z } from "zod";
import { safeText } from "@/lib/text/safe-text";

export const MARKETPLACE_EVENTS = ["order.paid", "order.refunded", "order.cancelled"] as const;
export type MarketplaceEventType = (typeof MARKETPLACE_EVENTS)[number];

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/**
 * One marketplace event. `email` and `plan` are required to create an order (`order.paid`); a
 * refund or cancellation is matched by `order_id` alone.
 */
export const marketplaceEventSchema = z
  .object({
    event: z.enum(MARKETPLACE_EVENTS),
    order_id: safeText({ trim: true }).min(1).max(120),
    email: z.string().trim().toLowerCase().pipe(z.email()).optional(),
    plan: safeText({ trim: true }).min(1).max(200).optional(),
    access_start: instant.optional(),
    access_end: instant.optional(),
  })
  .refine((e) => e.event !== "order.paid" || (e.email !== undefined && e.plan !== undefined), {
    message: "order.paid needs email and plan",
    path: ["email"],
  });

export type MarketplaceEvent = z.output<typeof marketplaceEventSchema>;

export function eventKeyOf(event: Pick<MarketplaceEvent, "event" | "order_id">): string {
  return `${event.event}:${event.order_id}`;
}
