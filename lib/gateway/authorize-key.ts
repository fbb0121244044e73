import "server-only";
import { apiKeyProblemError, diagnoseApiKey, hmacLookup } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { GatewayError } from "@/lib/errors";
import { parseTrustedProxies, type TrustedProxies } from "@/lib/server/trusted-proxies";
import { loadKeyByHmac, type GatewayKey } from "./load-key";

const allowlists = new WeakMap<GatewayKey, TrustedProxies | null>();

function allowlistOf(key: GatewayKey): TrustedProxies | null {
  let matcher = allowlists.get(key);
  if (matcher === undefined) {
    if (key.ipAllowlist.length === 0) {
      matcher = null;
    } else {
      // Same CIDR syntax as TRUSTED_PROXIES. A stored list is validated when it is saved; one
      // that no longer parses allows nobody rather than everybody.
      const parsed = parseTrustedProxies(key.ipAllowlist.join(","));
      matcher = parsed.ok ? parsed.matcher : { contains: () => false, isEmpty: false, ranges: [] };
    }
    allowlists.set(key, matcher);
  }
  return matcher;
}

/**
 * The key checks of DESIGN.md, in its order, each with its own error: present → well formed →
 * known → not replaced → not disabled → order active → key not expired → client IP allowed.
 * The model, rate and spend checks follow once the request body is read.
 */
export async function authorizeKey(
  db: Prisma,
  input: { credential: string | null; clientIp: string | null; pepper: Buffer; now?: Date },
): Promise<GatewayKey> {
  const diagnosis = diagnoseApiKey(input.credential);
  if (!diagnosis.ok) throw apiKeyProblemError(diagnosis);
  const key = await loadKeyByHmac(db, hmacLookup(diagnosis.key, input.pepper));
  if (!key) throw new GatewayError("invalid_api_key", { reason: "unknown_key" });
  if (key.status === "DELETED") throw new GatewayError("invalid_api_key", { reason: "deleted" });
  const now = input.now ?? new Date();
  if (key.status === "REPLACED" && (!key.validUntil || now >= key.validUntil)) {
    throw new GatewayError("api_key_replaced", { replacedAt: key.replacedAt ?? undefined });
  }
  if (key.status === "DISABLED") throw new GatewayError("api_key_disabled");
  const { order } = key;
  if (order.state !== "OPEN") {
    throw new GatewayError("order_cancelled", { endedAt: order.endedAt ?? undefined, refunded: order.state === "REFUNDED" });
  }
  if (now < order.accessStart) throw new GatewayError("access_not_started", { startsAt: order.accessStart });
  if (now >= order.accessEnd) throw new GatewayError("access_expired", { endedAt: order.accessEnd, scope: "order" });
  if (key.expiresAt && now >= key.expiresAt) throw new GatewayError("access_expired", { endedAt: key.expiresAt, scope: "key" });
  const allowlist = allowlistOf(key);
  if (allowlist && !(input.clientIp && allowlist.contains(input.clientIp))) {
    throw new GatewayError("ip_not_allowed", { clientIp: input.clientIp ?? "unknown" });
  }
  return key;
}

/** The models this key may use: its own scope within the plan's, or the plan's. */
export function allowedModels(key: GatewayKey): string[] {
  if (key.modelScope.length === 0) return key.plan.models;
  const plan = new Set(key.plan.models);
  return key.modelScope.filter((m) => plan.has(m));
}
