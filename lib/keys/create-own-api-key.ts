import "server-only";
import { recordAudit, type Actor } from "@/lib/audit";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { invalidateKey, invalidateOrderKeys } from "@/lib/gateway/key-cache";
import { orderStatus } from "@/lib/time/order-status";
import { issueApiKey } from "./issue-api-key";
import { MAX_KEY_NAME_LENGTH } from "./key-limit-rules";
import { LIVE_KEY_STATUSES } from "./live-keys";

export type KeyCreationRefusal = "no_such_order" | "order_not_active" | "key_limit_reached";

export class KeyCreationRefusedError extends Error {
  constructor(readonly reason: KeyCreationRefusal) {
    super(`Key creation refused: ${reason}.`);
    this.name = "KeyCreationRefusedError";
  }
}

/**
 * A buyer adds a key to their own active order while it has fewer live keys than its plan's
 * `maxKeysPerOrder`. The new key is revealed once in the portal like the first one; it starts with
 * the plan's models and no limits of its own.
 *
 * The order row is locked (`FOR UPDATE`, scoped by the account) before the keys are counted, so
 * concurrent creates for one order queue there and never exceed the plan's number; another
 * account's order is "no such order".
 */
export async function createOwnApiKey(
  db: Prisma,
  input: { orderId: string; customerId: string; name?: string; actor: Actor; keys: SecretKeys; now?: Date },
): Promise<{ id: string; lastFour: string; name: string }> {
  const now = input.now ?? new Date();
  const created = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "orders" WHERE "id" = ${input.orderId} AND "customerId" = ${input.customerId} FOR UPDATE`;
    if (!locked[0]) throw new KeyCreationRefusedError("no_such_order");
    const order = await tx.order.findUniqueOrThrow({
      where: { id: input.orderId },
      select: { state: true, accessStart: true, accessEnd: true, plan: { select: { maxKeysPerOrder: true } } },
    });
    if (orderStatus(order, now) !== "ACTIVE") throw new KeyCreationRefusedError("order_not_active");
    const live = await tx.apiKey.count({ where: { orderId: input.orderId, status: { in: [...LIVE_KEY_STATUSES] } } });
    if (live >= order.plan.maxKeysPerOrder) throw new KeyCreationRefusedError("key_limit_reached");
    const name = input.name?.trim().slice(0, MAX_KEY_NAME_LENGTH) || `Key ${live + 1}`;
    const issued = await issueApiKey(tx, { orderId: input.orderId, name, delivery: "reveal", keys: input.keys, now });
    await recordAudit(tx, {
      actor: input.actor,
      action: "api_key.created",
      targetType: "api_key",
      targetId: issued.id,
      details: { orderId: input.orderId, lastFour: issued.lastFour, name, liveKeys: live + 1, maxKeysPerOrder: order.plan.maxKeysPerOrder },
    });
    // The plaintext stays here: the buyer reveals the key once from its encrypted copy.
    return { id: issued.id, lastFour: issued.lastFour, name, hmac: issued.hmac };
  });
  // Nothing cached can name a key that did not exist, but the order's keys changed: drop them on
  // every instance, as for any change to an order the gateway must see.
  invalidateOrderKeys(input.orderId);
  invalidateKey(created.hmac);
  return { id: created.id, lastFour: created.lastFour, name: created.name };
}
