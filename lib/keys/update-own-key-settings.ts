import "server-only";
import { recordAudit, type Actor } from "@/lib/audit";
import type { Prisma } from "@/lib/db";
import { invalidateKey } from "@/lib/gateway/key-cache";
import { allowlistProblems, MAX_KEY_NAME_LENGTH, MAX_SPEND_LIMIT_USD, modelsOutsidePlan, type SpendLimitPeriodName } from "./key-limit-rules";
import { LIVE_KEY_STATUSES } from "./live-keys";
import { refreshKeySpend } from "./set-key-limits";

/** A setting the buyer cannot have; `field` names the form field at fault (null: the key itself). */
export class KeySettingsError extends Error {
  constructor(
    readonly field: "name" | "models" | "spendLimitUsd" | "ipAllowlist" | null,
    message: string,
  ) {
    super(message);
    this.name = "KeySettingsError";
  }
}

export interface OwnKeySettings {
  name: string;
  /** A subset of the plan's models; empty: all of them. */
  modelScope: string[];
  /** Per `spendLimitPeriod`; null: no limit of the key's own. */
  spendLimitMicros: bigint | null;
  spendLimitPeriod: SpendLimitPeriodName;
  /** IPv4/IPv6 addresses or CIDR ranges; empty: any address. */
  ipAllowlist: string[];
}

const MAX_SPEND_LIMIT_MICROS = BigInt(MAX_SPEND_LIMIT_USD) * 1_000_000n;

/**
 * A buyer changes one of their own live keys (active or disabled): its name, model scope within
 * the plan, spend limit and period, and IP allowlist. Validated here whoever calls. The key is
 * read and written within `customerId` in one transaction, so another account's key is "no such
 * key" and nothing of it changes. Audited with what changed; the gateway forgets the cached key at
 * once (on every instance) and re-reads the key's spend when the limit or its period is new.
 */
export async function updateOwnKeySettings(db: Prisma, input: OwnKeySettings & { keyId: string; customerId: string; actor: Actor }) {
  const name = input.name.trim();
  if (name.length === 0 || name.length > MAX_KEY_NAME_LENGTH)
    throw new KeySettingsError("name", `Give the key a name of 1 to ${MAX_KEY_NAME_LENGTH} characters.`);
  const limit = input.spendLimitMicros;
  if (limit !== null && (limit <= 0n || limit > MAX_SPEND_LIMIT_MICROS)) {
    throw new KeySettingsError("spendLimitUsd", `Enter an amount above $0 and at most $${MAX_SPEND_LIMIT_USD.toLocaleString("en-US")}, or leave it empty.`);
  }
  const ipAllowlist = [...new Set(input.ipAllowlist.map((e) => e.trim()).filter(Boolean))];
  const problems = allowlistProblems(ipAllowlist);
  if (problems.length) throw new KeySettingsError("ipAllowlist", problems.join(" "));
  const modelScope = [...new Set(input.modelScope)];
  const owned = { id: input.keyId, status: { in: [...LIVE_KEY_STATUSES] }, order: { customerId: input.customerId } };

  const result = await db.$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({
      where: owned,
      select: {
        id: true,
        hmac: true,
        orderId: true,
        name: true,
        modelScope: true,
        spendLimitMicros: true,
        spendLimitPeriod: true,
        ipAllowlist: true,
        order: { select: { plan: { select: { models: true } } } },
      },
    });
    if (!key) throw new KeySettingsError(null, "This key cannot be changed: it was replaced or deleted. Reload the page.");
    const outside = modelsOutsidePlan(modelScope, key.order.plan.models);
    if (outside.length) throw new KeySettingsError("models", `Your plan does not include ${outside.join(", ")}.`);
    // Every model ticked is the same as none ticked: the whole plan, also when the plan grows.
    const scope = modelScope.length === key.order.plan.models.length ? [] : modelScope;
    const next = { name, modelScope: scope, spendLimitMicros: limit, spendLimitPeriod: input.spendLimitPeriod, ipAllowlist };
    const changed = Object.fromEntries(
      Object.entries(next).filter(([field, value]) => JSON.stringify(key[field as keyof typeof next], big) !== JSON.stringify(value, big)),
    );
    if (Object.keys(changed).length === 0) return { key, next, changed };
    // Scoped by account again in the write itself: the count says whether it happened.
    const written = await tx.apiKey.updateMany({ where: owned, data: next });
    if (written.count !== 1) throw new KeySettingsError(null, "This key cannot be changed: it was replaced or deleted. Reload the page.");
    await recordAudit(tx, {
      actor: input.actor,
      action: "api_key.settings_changed",
      targetType: "api_key",
      targetId: key.id,
      details: { orderId: key.orderId, ...(JSON.parse(JSON.stringify(changed, big)) as Record<string, unknown>) },
    });
    return { key, next, changed };
  });
  if (Object.keys(result.changed).length > 0) {
    invalidateKey(result.key.hmac);
    await refreshKeySpend({ orderId: result.key.orderId, keyId: result.key.id, before: result.key, after: result.next });
  }
  return { id: result.key.id, orderId: result.key.orderId, changed: Object.keys(result.changed) };
}

function big(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
