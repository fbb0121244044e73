import type { OrderState } from "@/lib/db/types";

export type OrderStatus = "PENDING" | "ACTIVE" | "EXPIRED" | "CANCELLED" | "REFUNDED";

/**
 * The status a reader sees, derived from the stored state and the clock. Nothing flips a flag
 * when access ends: the moment `now >= accessEnd` every reader (and the gateway) sees EXPIRED.
 */
export function orderStatus(order: { state: OrderState; accessStart: Date; accessEnd: Date }, now: Date = new Date()): OrderStatus {
  if (order.state === "CANCELLED") return "CANCELLED";
  if (order.state === "REFUNDED") return "REFUNDED";
  if (now.getTime() < order.accessStart.getTime()) return "PENDING";
  if (now.getTime() >= order.accessEnd.getTime()) return "EXPIRED";
  return "ACTIVE";
}
