import "server-only";
import { safeText } from "@/lib/text/safe-text";
import { z } from "zod";
import { recordAudit, type Actor } from "@/lib/audit";
import type { Prisma } from "@/lib/db";
import { invalidateKey } from "@/lib/gateway/key-cache";
import { getSpendStore } from "@/lib/billing/spend";
import { usdToMicros } from "@/lib/billing/money";
import { allowlistProblems, MAX_SPEND_LIMIT_USD, modelsOutsidePlan, SPEND_LIMIT_PERIODS } from "./key-limit-rules";

export class KeyLimitsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyLimitsError";
  }
}

// Each field: undefined leaves it as it is; null clears it (back to the plan's value or no limit).
export const keyLimitsSchema = z.object({
  keyId: z.string().min(1),
  /** Subset of the plan's models; [] or null: all of the plan's. */
  modelScope: z
    .array(safeText({ trim: true }).min(1).max(200))
    .nullable()
    .optional(),
  /** The spend limit per `spendLimitPeriod`, in dollars; null: none. */
  spendLimitUsd: z.number().positive().max(MAX_SPEND_LIMIT_USD).nullable().optional(),
  /** The limit's UTC period: a day, a week from Monday 00:00 UTC, a calendar month. */
  spendLimitPeriod: z.enum(SPEND_LIMIT_PERIODS).optional(),
  /** CIDRs or single IPs, IPv4 or IPv6; [] or null: any IP. */
  ipAllowlist: z.array(z.string().trim().min(1)).nullable().optional(),
  rpm: z.number().int().min(1).max(1_000_000).nullable().optional(),
  tpm: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
});

export type KeyLimitsInput = z.input<typeof keyLimitsSchema>;

/**
 * Sets a key's own limits within its plan: model scope, spend limit and its period, IP allowlist
 * and (admins) rate overrides. Validated here, whoever calls; audited; the gateway sees the change
 * at once (cache invalidated on every instance).
 */
export async function setKeyLimits(db: Prisma, input: KeyLimitsInput & { actor: Actor; reason?: string | null }) {
  const p = keyLimitsSchema.parse(input);
  const key = await db.apiKey.findUnique({
    where: { id: p.keyId },
    select: {
      id: true,
      hmac: true,
      orderId: true,
      status: true,
      spendLimitMicros: true,
      spendLimitPeriod: true,
      order: { select: { plan: { select: { models: true } } } },
    },
  });
  if (!key || key.status === "DELETED") throw new KeyLimitsError(`No key with the id ${p.keyId}.`);
  const data: Record<string, unknown> = {};
  if (p.modelScope !== undefined) {
    const scope = [...new Set(p.modelScope ?? [])];
    const outside = modelsOutsidePlan(scope, key.order.plan.models);
    if (outside.length) throw new KeyLimitsError(`Not in the plan: ${outside.join(", ")}. The plan offers: ${key.order.plan.models.join(", ")}.`);
    data.modelScope = scope;
  }
  if (p.ipAllowlist !== undefined) {
    const list = [...new Set(p.ipAllowlist ?? [])];
    const problems = allowlistProblems(list);
    if (problems.length) throw new KeyLimitsError(`The IP allowlist: ${problems.join(" ")}`);
    data.ipAllowlist = list;
  }
  if (p.spendLimitUsd !== undefined) data.spendLimitMicros = p.spendLimitUsd === null ? null : usdToMicros(p.spendLimitUsd);
  if (p.spendLimitPeriod !== undefined) data.spendLimitPeriod = p.spendLimitPeriod;
  if (p.rpm !== undefined) data.rpmLimit = p.rpm;
  if (p.tpm !== undefined) data.tpmLimit = p.tpm;
  if (Object.keys(data).length === 0) throw new KeyLimitsError("Nothing to change.");

  const updated = await db.$transaction(async (tx) => {
    const row = await tx.apiKey.update({
      where: { id: key.id },
      data,
      select: { id: true, modelScope: true, spendLimitMicros: true, spendLimitPeriod: true, ipAllowlist: true, rpmLimit: true, tpmLimit: true },
    });
    await recordAudit(tx, {
      actor: input.actor,
      action: "api_key.limits_changed",
      targetType: "api_key",
      targetId: key.id,
      details: {
        ...(JSON.parse(JSON.stringify(data, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Record<string, string>),
        ...(input.reason?.trim() ? { reason: input.reason.trim().slice(0, 500) } : {}),
      },
    });
    return row;
  });
  invalidateKey(key.hmac);
  await refreshKeySpend({ orderId: key.orderId, keyId: key.id, before: key, after: updated });
  return updated;
}

/**
 * A limit the key did not have, or a new period: the key's spend in that period was not tracked
 * by the spend store, so it must be re-read from the database by the next request.
 */
export async function refreshKeySpend(input: {
  orderId: string;
  keyId: string;
  before: { spendLimitMicros: bigint | null; spendLimitPeriod: string };
  after: { spendLimitMicros: bigint | null; spendLimitPeriod: "DAY" | "WEEK" | "MONTH" };
}): Promise<void> {
  const { before, after } = input;
  if (after.spendLimitMicros === null) return;
  if (before.spendLimitMicros !== null && before.spendLimitPeriod === after.spendLimitPeriod) return;
  await getSpendStore().invalidateKey({ orderId: input.orderId, keyId: input.keyId, period: after.spendLimitPeriod });
}
