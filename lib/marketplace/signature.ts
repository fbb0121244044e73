import "server-only";
import { createHmac } from "node:crypto";
import { safeEqual } from "@/lib/credentials";

/** How far a signature's timestamp may be from the server clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export type SignatureProblem = "missing_signature" | "malformed_signature" | "stale_signature" | "invalid_signature";

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; problem: SignatureProblem };

/** The hex HMAC-SHA256 the marketplace sends: over "<t>.<raw body>" with the shared secret. */
export function computeMarketplaceSignature(secret: string, timestamp: number, rawBody: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${rawBody}`, "utf8").digest("hex");
}

/** A header value as the marketplace would send it (tests, the demo, scripts). */
export function signMarketplaceBody(secret: string, rawBody: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${computeMarketplaceSignature(secret, timestamp, rawBody)}`;
}

/**
 * Checks `x-marketplace-signature: t=<unix seconds>,v1=<hex>` against the raw body. The timestamp
 * must be within five minutes of `nowMs` (a captured request cannot be replayed later), and the
 * MAC is compared in constant time. Several v1 values (secret rotation) are accepted.
 */
export function verifyMarketplaceSignature(header: string | null | undefined, rawBody: string, secret: string, nowMs = Date.now()): SignatureCheck {
  if (!header || header.trim() === "") return { ok: false, problem: "missing_signature" };
  if (header.length > 1024) return { ok: false, problem: "malformed_signature" };
  let timestamp: number | undefined;
  const macs: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return { ok: false, problem: "malformed_signature" };
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === "t") {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return { ok: false, problem: "malformed_signature" };
      timestamp = Number(value);
    } else if (name === "v1") {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return { ok: false, problem: "malformed_signature" };
      macs.push(value.toLowerCase());
    }
  }
  if (timestamp === undefined || macs.length === 0) return { ok: false, problem: "malformed_signature" };
  if (Math.abs(nowMs / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, problem: "stale_signature" };
  const expected = computeMarketplaceSignature(secret, timestamp, rawBody);
  // Every candidate is compared, so the time taken does not depend on which one matched.
  let matched = false;
  for (const mac of macs) if (safeEqual(mac, expected)) matched = true;
  return matched ? { ok: true, timestamp } : { ok: false, problem: "invalid_signature" };
}
