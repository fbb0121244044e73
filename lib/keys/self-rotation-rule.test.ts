import { describe, expect, it } from "vitest";
import { MAX_ROTATION_OVERLAP_MS } from "./rotate-api-key";
import { SELF_ROTATION_OVERLAPS, selfRotationOverlapSchema, selfRotationRefusal } from "./self-rotation-rule";

const now = new Date("2026-06-01T12:00:00Z");
const activeKey = { status: "ACTIVE" as const, expiresAt: null };
const allowed = { planSelfRotate: true, orderStatus: "ACTIVE" as const, key: activeKey, now };

describe("self-rotation rule", () => {
  it("lets the buyer rotate an active key of an active order on a plan that includes it", () => {
    expect(selfRotationRefusal(allowed)).toBeNull();
  });

  it("sends buyers of a plan without self-rotation to support, whatever the key's state", () => {
    expect(selfRotationRefusal({ ...allowed, planSelfRotate: false })).toBe("plan_excludes_self_rotation");
    expect(selfRotationRefusal({ ...allowed, planSelfRotate: false, key: { status: "REPLACED", expiresAt: null } })).toBe("plan_excludes_self_rotation");
  });

  it("refuses outside the order's access window", () => {
    for (const orderStatus of ["PENDING", "EXPIRED", "CANCELLED", "REFUNDED"] as const) {
      expect(selfRotationRefusal({ ...allowed, orderStatus })).toBe("order_not_active");
    }
  });

  it("refuses a key that is replaced, disabled, deleted or past its own expiry", () => {
    expect(selfRotationRefusal({ ...allowed, key: { status: "REPLACED", expiresAt: null } })).toBe("key_replaced");
    expect(selfRotationRefusal({ ...allowed, key: { status: "DISABLED", expiresAt: null } })).toBe("key_not_active");
    expect(selfRotationRefusal({ ...allowed, key: { status: "DELETED", expiresAt: null } })).toBe("key_not_active");
    expect(selfRotationRefusal({ ...allowed, key: { status: "ACTIVE", expiresAt: new Date(now.getTime() - 1) } })).toBe("key_not_active");
    expect(selfRotationRefusal({ ...allowed, key: { status: "ACTIVE", expiresAt: new Date(now.getTime() + 60_000) } })).toBeNull();
  });

  it("offers no overlap, 1 hour or 24 hours, never more than an operator may give", () => {
    expect(SELF_ROTATION_OVERLAPS).toEqual({ none: 0, "1h": 3_600_000, "24h": 86_400_000 });
    for (const ms of Object.values(SELF_ROTATION_OVERLAPS)) expect(ms).toBeLessThanOrEqual(MAX_ROTATION_OVERLAP_MS);
    expect(selfRotationOverlapSchema.safeParse("1h").success).toBe(true);
    for (const bad of ["48h", "2h", "", "0", undefined]) expect(selfRotationOverlapSchema.safeParse(bad).success).toBe(false);
  });
});
