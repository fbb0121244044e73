import "server-only";
import { apiKeyProblemError, diagnoseApiKey, hmacLookup } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { GatewayError } from "@/lib/errors";
import { parseTrustedProxies, type TrustedProxies } from "@/lib/server/trusted-proxies";
import { credentialHmac, getCachedKey, rememberCredentialHmac } from "./key-cache";
import { loadKeyByHmac, type GatewayKey } from "./load-key";

/** What the checks derive from a key, computed once per cached key object. */
interface KeyPolicy {
  allowlist: TrustedProxies | null;
  allowed: string[];
  allowedSet: Set<string>;
}

const policies = new WeakMap<GatewayKey, KeyPolicy>();

function policyOf(key: GatewayKey): KeyPolicy {
  let policy = policies.get(key);
  if (!policy) {
    let allowlist: TrustedProxies | null = null;
    if (key.ipAllowlist.length > 0) {
      // Same CIDR syntax as TRUSTED_PROXIES. A stored list is validated when it is saved; one
      // that no longer parses allows nobody rather than everybody.
      const parsed = parseTrustedProxies(key.ipAllowlist.join(","));
      allowlist = parsed.ok ? parsed.matcher : { contains: () => false, isEmpty: false, ranges: [] };
    }
    const plan = new Set(key.plan.models);
    const allowed = key.modelScope.length === 0 ? key.plan.models : key.modelScope.filter((m) => plan.has(m));
    policy = { allowlist, allowed, allowedSet: new Set(allowed) };
    policies.set(key, policy);
  }
  return policy;
}

/**
 * The key checks of DESIGN.md, in its order, each with its own error: present → well formed →
 * known → not replaced → not disabled → order active → key not expired → client IP allowed.
 * The model, rate and spend checks follow once the request body is read.
 *
 * A key seen recently is checked without waiting: the credential's HMAC and the key are both in
 * process (key-cache.ts), so the result (or the refusal, thrown) comes back at once rather than
 * as a promise. Otherwise the key is read from the database.
 */
export function authorizeKey(
  db: Prisma,
  input: { credential: string | null; clientIp: string | null; pepper: Buffer; nowMs?: number },
): GatewayKey | Promise<GatewayKey> {
  const { credential } = input;
  let hmac = credential === null ? undefined : credentialHmac(input.pepper, credential);
  if (hmac === undefined) {
    const diagnosis = diagnoseApiKey(credential);
    if (!diagnosis.ok) throw apiKeyProblemError(diagnosis);
    hmac = hmacLookup(diagnosis.key, input.pepper);
    // A credential that passes the diagnosis is the key itself: remembered as sent.
    rememberCredentialHmac(input.pepper, diagnosis.key, hmac);
  }
  const nowMs = input.nowMs ?? Date.now();
  const cached = getCachedKey(hmac, nowMs);
  if (cached !== undefined) return checkKey(cached, input.clientIp, nowMs);
  return loadKeyByHmac(db, hmac).then((key) => checkKey(key, input.clientIp, nowMs));
}

function checkKey(key: GatewayKey | null, clientIp: string | null, nowMs: number): GatewayKey {
  if (!key) throw new GatewayError("invalid_api_key", { reason: "unknown_key" });
  if (key.status === "DELETED") throw new GatewayError("invalid_api_key", { reason: "deleted" });
  if (key.status === "REPLACED" && (!key.validUntil || nowMs >= key.validUntil.getTime())) {
    throw new GatewayError("api_key_replaced", { replacedAt: key.replacedAt ?? undefined });
  }
  if (key.status === "DISABLED") throw new GatewayError("api_key_disabled");
  const { order } = key;
  if (order.state !== "OPEN") {
    throw new GatewayError("order_cancelled", { endedAt: order.endedAt ?? undefined, refunded: order.state === "REFUNDED" });
  }
  if (nowMs < order.accessStart.getTime()) throw new GatewayError("access_not_started", { startsAt: order.accessStart });
  if (nowMs >= order.accessEnd.getTime()) throw new GatewayError("access_expired", { endedAt: order.accessEnd, scope: "order" });
  if (key.expiresAt && nowMs >= key.expiresAt.getTime()) throw new GatewayError("access_expired", { endedAt: key.expiresAt, scope: "key" });
  const { allowlist } = policyOf(key);
  if (allowlist && !(clientIp && allowlist.contains(clientIp))) {
    throw new GatewayError("ip_not_allowed", { clientIp: clientIp ?? "unknown" });
  }
  return key;
}

/** The models this key may use: its own scope within the plan's, or the plan's. */
export function allowedModels(key: GatewayKey): string[] {
  return policyOf(key).allowed;
}

/** Whether the key may use the model (allowedModels, as a set lookup). */
export function keyAllowsModel(key: GatewayKey, model: string): boolean {
  return policyOf(key).allowedSet.has(model);
}
