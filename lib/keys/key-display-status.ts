import type { ApiKeyStatus } from "@/lib/db/types";
import type { OrderStatus } from "@/lib/time/order-status";

export type KeyDisplayStatus = "Active" | "Not yet active" | "Disabled" | "Replaced" | "Expired";

/** The one word the credential card shows for a key, from its status, its order and the clock. */
export function keyDisplayStatus(key: { status: ApiKeyStatus; expiresAt: Date | null }, order: OrderStatus, now: Date = new Date()): KeyDisplayStatus {
  if (key.status === "REPLACED") return "Replaced";
  if (key.status === "DISABLED" || key.status === "DELETED") return "Disabled";
  if (order === "EXPIRED" || order === "CANCELLED" || order === "REFUNDED") return "Expired";
  if (key.expiresAt && now.getTime() >= key.expiresAt.getTime()) return "Expired";
  if (order === "PENDING") return "Not yet active";
  return "Active";
}
