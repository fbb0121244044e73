import { z } from "zod";
import { safeText } from "@/lib/text/safe-text";

/**
 * The events the marketplace sends. `order.extended` is another marketplace's word for a renewal:
 * it is read as `order.renewed` (stored, applied and deduplicated as one).
 */
export const MARKETPLACE_EVENTS = ["order.paid", "order.refunded", "order.cancelled", "order.renewed"] as const;
export type MarketplaceEventType = (typeof MARKETPLACE_EVENTS)[number];
const EVENT_ALIASES = { "order.extended": "order.renewed" } as const satisfies Record<string, MarketplaceEventType>;

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const eventName = z
  .enum([...MARKETPLACE_EVENTS, ...(Object.keys(EVENT_ALIASES) as (keyof typeof EVENT_ALIASES)[])])
  .transform((name): MarketplaceEventType => (name in EVENT_ALIASES ? EVENT_ALIASES[name as keyof typeof EVENT_ALIASES] : (name as MarketplaceEventType)));

/**
 * One marketplace event. `email` and `plan` are required to create an order (`order.paid`); a
 * refund, cancellation or renewal is matched by `order_id`. An order is paid, refunded or cancelled
 * once, but renewed any number of times, so a renewal names itself: by `event_id` (the
 * marketplace's id of this renewal), else by the `access_end` it renews to.
 */
export const marketplaceEventSchema = z
  .object({
    event: eventName,
    order_id: safeText({ trim: true }).min(1).max(120),
    event_id: safeText({ trim: true }).min(1).max(120).optional(),
    email: z.string().trim().toLowerCase().pipe(z.email()).optional(),
    plan: safeText({ trim: true }).min(1).max(200).optional(),
    access_start: instant.optional(),
    access_end: instant.optional(),
  })
  .refine((e) => e.event !== "order.paid" || (e.email !== undefined && e.plan !== undefined), {
    message: "order.paid needs email and plan",
    path: ["email"],
  })
  .refine((e) => e.event !== "order.renewed" || e.event_id !== undefined || e.access_end !== undefined, {
    message: "order.renewed needs event_id (or access_end)",
    path: ["event_id"],
  });
export type MarketplaceEvent = z.output<typeof marketplaceEventSchema>;

/**
 * The idempotency key: "<event>:<order_id>", and for a renewal also which one
 * ("order.renewed:<order_id>:<event_id>", or ":until:<access_end>" without an event id).
 */
export function eventKeyOf(event: Pick<MarketplaceEvent, "event" | "order_id" | "event_id" | "access_end">): string {
  if (event.event !== "order.renewed") return `${event.event}:${event.order_id}`;
  return `${event.event}:${event.order_id}:${event.event_id ?? `until:${event.access_end?.toISOString()}`}`;
}
