import "server-only";
import { safeText } from "@/lib/text/safe-text";
import { z } from "zod";
import { recordAudit, type Actor } from "@/lib/audit";
import type { Prisma } from "@/lib/db";
import { invalidateKey } from "@/lib/gateway/key-cache";
import { getSpendStore } from "@/lib/billing/spend";
import { usdToMicros } from "@/lib/billing/money";
import { parseTrustedProxies } from "@/lib/server/trusted-proxies";

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
  monthlyLimitUsd: z.number().nonnegative().max(1_000_000).nullable().optional(),
  /** CIDRs or single IPs, IPv4 or IPv6; [] or null: any IP. */
  ipAllowlist: z.array(z.string().trim().min(1)).nullable().optional(),
  rpm: z.number().int().min(1).max(1_000_000).nullable().optional(),
  tpm: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
});

export type KeyLimitsInput = z.input<typeof keyLimitsSchema>;

/**
 * Sets a key's own limits within its plan: model scope, monthly spend limit, IP allowlist and
 * (admins) rate overrides. Validated here, whoever calls; audited; the gateway sees the change at
 * once (cache invalidated on every instance).
 */
export async function setKeyLimits(db: Prisma, input: KeyLimitsInput & { actor: Actor; reason?: string | null }) {
  const p = keyLimitsSchema.parse(input);
  const key = await db.apiKey.findUnique({
    where: { id: p.keyId },
    select: { id: true, hmac: true, orderId: true, status: true, monthlyLimitMicros: true, order: { select: { plan: { select: { models: true } } } } },
  });
  if (!key || key.status === "DELETED") throw new KeyLimitsError(`No key with the id ${p.keyId}.`);
  const data: Record<string, unknown> = {};
  if (p.modelScope !== undefined) {
    const scope = [...new Set(p.modelScope ?? [])];
    const outside = scope.filter((m) => !key.order.plan.models.includes(m));
    if (outside.length) throw new KeyLimitsError(`Not in the plan: ${outside.join(", ")}. The plan offers: ${key.order.plan.models.join(", ")}.`);
    data.modelScope = scope;
  }
  if (p.ipAllowlist !== undefined) {
    const list = [...new Set(p.ipAllowlist ?? [])];
    if (list.length) {
      const parsed = parseTrustedProxies(list.join(","));
      if (!parsed.ok) throw new KeyLimitsError(parsed.error.replace(/^TRUSTED_PROXIES/, "The IP allowlist"));
    }
    data.ipAllowlist = list;
  }
  if (p.monthlyLimitUsd !== undefined) data.monthlyLimitMicros = p.monthlyLimitUsd === null ? null : usdToMicros(p.monthlyLimitUsd);
  if (p.rpm !== undefined) data.rpmLimit = p.rpm;
  if (p.tpm !== undefined) data.tpmLimit = p.tpm;
  if (Object.keys(data).length === 0) throw new KeyLimitsError("Nothing to change.");

  const updated = await db.$transaction(async (tx) => {
    const row = await tx.apiKey.update({
      where: { id: key.id },
      data,
      select: { id: true, modelScope: true, monthlyLimitMicros: true, ipAllowlist: true, rpmLimit: true, tpmLimit: true },
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
  // A monthly limit the key did not have: its spend was not tracked, so re-read it.
  if (key.monthlyLimitMicros === null && updated.monthlyLimitMicros !== null) await getSpendStore().invalidateKey({ orderId: key.orderId, keyId: key.id });
  return updated;
}
