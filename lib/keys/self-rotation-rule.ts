import { z } from "zod";
import type { ApiKeyStatus } from "@/lib/db/types";
import type { OrderStatus } from "@/lib/time/order-status";
import { keyDisplayStatus } from "./key-display-status";

// Who may rotate a key without support, and how long the old key may keep working then. The order
// page (whether to offer the button) and the rotate action (whether to do it) both ask here.
// Operators (CLI, console) are not bound by it: they rotate any active key, with any overlap up to
// MAX_ROTATION_OVERLAP_MS.

/** The overlaps a buyer can choose, in milliseconds: none, or one of two short switch-over windows. */
export const SELF_ROTATION_OVERLAPS = { none: 0, "1h": 3_600_000, "24h": 86_400_000 } as const;

export const selfRotationOverlapSchema = z.enum(["none", "1h", "24h"], { error: "Choose none, 1 hour or 24 hours." });
export type SelfRotationOverlap = z.infer<typeof selfRotationOverlapSchema>;

/** Why a buyer may not rotate a key themselves. */
export type SelfRotationRefusal = "plan_excludes_self_rotation" | "order_not_active" | "key_replaced" | "key_not_active";

/**
 * Why the buyer who owns this key may not rotate it, or null when they may: the plan must include
 * self-rotation (otherwise support rotates it), the order must be within its access window (a key
 * of an ended order has nothing left to protect), and the key itself must be active (not replaced,
 * disabled or past its own expiry). Ownership is not decided here: callers look the key up within
 * the buyer's account.
 */
export function selfRotationRefusal(input: {
  planSelfRotate: boolean;
  orderStatus: OrderStatus;
  key: { status: ApiKeyStatus; expiresAt: Date | null };
  now?: Date;
}): SelfRotationRefusal | null {
  if (!input.planSelfRotate) return "plan_excludes_self_rotation";
  if (input.orderStatus !== "ACTIVE") return "order_not_active";
  if (input.key.status === "REPLACED") return "key_replaced";
  if (keyDisplayStatus(input.key, input.orderStatus, input.now) !== "Active") return "key_not_active";
  return null;
}
