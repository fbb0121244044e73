import "server-only";
import { createHmac, hkdfSync } from "node:crypto";
import { safeEqual } from "@/lib/credentials/safe-equal";
import type { NotificationKind } from "./notification-stages";

// The one-click unsubscribe link: "<customer id>.<kind>.<HMAC>" in base64url, signed with a key
// derived from GATEHOUSE_SECRET under its own label, so it proves which account and which kind
// without a sign-in and cannot be forged or changed to another account. It never expires: an
// unsubscribe link in an old mail must still work.

const LABEL = "gatehouse/v1/notification-unsubscribe";

const KIND_CODES: Record<NotificationKind, string> = { ACCESS_REMINDER: "access", CREDIT_ALERT: "credit", KEY_LIMIT_ALERT: "key" };
const CODE_KINDS = new Map(Object.entries(KIND_CODES).map(([kind, code]) => [code, kind as NotificationKind]));

/** The key unsubscribe tokens are signed with. */
export function deriveUnsubscribeKey(gatehouseSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(gatehouseSecret, "utf8"), "gatehouse", LABEL, 32));
}

function sign(key: Buffer, payload: string): string {
  return createHmac("sha256", key).update(payload).digest("base64url");
}

export function createUnsubscribeToken(key: Buffer, customerId: string, kind: NotificationKind): string {
  const payload = `${customerId}.${KIND_CODES[kind]}`;
  return `${payload}.${sign(key, payload)}`;
}

/** The account and kind a token names, or null when it is malformed or its signature is wrong. */
export function verifyUnsubscribeToken(key: Buffer, token: string): { customerId: string; kind: NotificationKind } | null {
  if (token.length > 200) return null;
  const match = /^([A-Za-z0-9_-]{1,64})\.([a-z]{1,10})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  const [, customerId, code, mac] = match;
  const kind = CODE_KINDS.get(code!);
  if (!kind) return null;
  if (!safeEqual(mac!, sign(key, `${customerId}.${code}`))) return null;
  return { customerId: customerId!, kind };
}
