// A key that counts toward the plan's keys per order: one that works, or that its owner or
// support may switch back on. A replaced key is on its way out (a rotation swaps one key for
// another, never adds one) and a deleted key is gone.
export const LIVE_KEY_STATUSES = ["ACTIVE", "DISABLED"] as const;
