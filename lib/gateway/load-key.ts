import "server-only";
import type { ApiKeyStatus, OrderState, SpendLimitPeriod } from "@/lib/db/types";
import type { Prisma } from "@/lib/db";
import { getCachedKey, readKeyOnce } from "./key-cache";

/** What the gateway needs to know about a key, its order and its plan: one read, then cached. */
export interface GatewayKey {
  id: string;
  status: ApiKeyStatus;
  modelScope: string[];
  ipAllowlist: string[];
  /** The key's own spend limit per UTC period; null: none. */
  spendLimitMicros: bigint | null;
  spendLimitPeriod: SpendLimitPeriod;
  /** Admin overrides of the plan's rate limits. */
  rpmLimit: number | null;
  tpmLimit: number | null;
  expiresAt: Date | null;
  replacedAt: Date | null;
  validUntil: Date | null;
  order: {
    id: string;
    marketplaceOrderId: string;
    customerId: string;
    state: OrderState;
    accessStart: Date;
    accessEnd: Date;
    endedAt: Date | null;
  };
  plan: {
    id: string;
    name: string;
    models: string[];
    /** The plan's aliases, alias → one of `models` (a Map: no inherited names). */
    aliases: ReadonlyMap<string, string>;
    rpm: number;
    tpm: number | null;
    multiplierBps: number;
    creditMicros: bigint;
  };
}

/** A plan's stored aliases (JSON) as a map; an entry whose target left the plan's models is dropped. */
export function aliasMap(json: unknown, models: string[]): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  if (!json || typeof json !== "object" || Array.isArray(json)) return map;
  const served = new Set(models);
  for (const [alias, target] of Object.entries(json)) if (typeof target === "string" && served.has(target) && !served.has(alias)) map.set(alias, target);
  return map;
}

function planOf({ modelAliases, ...plan }: Omit<GatewayKey["plan"], "aliases"> & { modelAliases: unknown }): GatewayKey["plan"] {
  return { ...plan, aliases: aliasMap(modelAliases, plan.models) };
}

/** The key with this HMAC (null: none), from the cache or one database read shared by concurrent callers. */
export async function loadKeyByHmac(db: Prisma, hmac: string): Promise<GatewayKey | null> {
  const cached = getCachedKey(hmac);
  if (cached !== undefined) return cached;
  return readKeyOnce(hmac, () => readKey(db, hmac));
}

async function readKey(db: Prisma, hmac: string): Promise<GatewayKey | null> {
  const row = await db.apiKey.findUnique({
    where: { hmac },
    select: {
      id: true,
      status: true,
      modelScope: true,
      ipAllowlist: true,
      spendLimitMicros: true,
      spendLimitPeriod: true,
      rpmLimit: true,
      tpmLimit: true,
      expiresAt: true,
      replacedAt: true,
      validUntil: true,
      order: {
        select: {
          id: true,
          marketplaceOrderId: true,
          customerId: true,
          state: true,
          accessStart: true,
          accessEnd: true,
          endedAt: true,
          plan: { select: { id: true, name: true, models: true, modelAliases: true, rpm: true, tpm: true, multiplierBps: true, creditMicros: true } },
        },
      },
    },
  });
  return row
    ? {
        id: row.id,
        status: row.status,
        modelScope: row.modelScope,
        ipAllowlist: row.ipAllowlist,
        spendLimitMicros: row.spendLimitMicros,
        spendLimitPeriod: row.spendLimitPeriod,
        rpmLimit: row.rpmLimit,
        tpmLimit: row.tpmLimit,
        expiresAt: row.expiresAt,
        replacedAt: row.replacedAt,
        validUntil: row.validUntil,
        order: {
          id: row.order.id,
          marketplaceOrderId: row.order.marketplaceOrderId,
          customerId: row.order.customerId,
          state: row.order.state,
          accessStart: row.order.accessStart,
          accessEnd: row.order.accessEnd,
          endedAt: row.order.endedAt,
        },
        plan: planOf(row.order.plan),
      }
    : null;
}
