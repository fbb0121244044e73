import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signMarketplaceBody, verifyMarketplaceSignature } from "./signature";

const SECRET = "whsec-test-0123456789abcdefghijklmnopqrstuvwxyz";
const body = JSON.stringify({ event: "order.paid", order_id: "MP-1", email: "a@example.com", plan: "Starter 30" });
const now = 1_800_000_000_000;
const t = now / 1000;

describe("marketplace webhook signature", () => {
  it("accepts a good signature over t and the raw body", () => {
    const header = `t=${t},v1=${createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex")}`;
    expect(verifyMarketplaceSignature(header, body, SECRET, now)).toEqual({ ok: true, timestamp: t });
    expect(verifyMarketplaceSignature(signMarketplaceBody(SECRET, body, t), body, SECRET, now).ok).toBe(true);
    // Upper-case hex and a second (rotated-out) v1 are fine.
    const upper = signMarketplaceBody(SECRET, body, t).replace(/v1=(\w+)/, (_m, hex: string) => `v1=${"0".repeat(64)},v1=${hex.toUpperCase()}`);
    expect(verifyMarketplaceSignature(upper, body, SECRET, now).ok).toBe(true);
  });

  it("refuses a signature made with another secret", () => {
    expect(verifyMarketplaceSignature(signMarketplaceBody("another-secret-0123456789abcdefghij", body, t), body, SECRET, now)).toEqual({
      ok: false,
      problem: "invalid_signature",
    });
  });

  it("refuses a tampered body or a tampered timestamp", () => {
    const header = signMarketplaceBody(SECRET, body, t);
    expect(verifyMarketplaceSignature(header, body.replace("Starter 30", "Pro 30"), SECRET, now)).toEqual({ ok: false, problem: "invalid_signature" });
    expect(verifyMarketplaceSignature(`${body} `, body, SECRET, now).ok).toBe(false);
    expect(verifyMarketplaceSignature(header.replace(`t=${t}`, `t=${t + 1}`), body, SECRET, now)).toEqual({ ok: false, problem: "invalid_signature" });
  });

  it("refuses a stale or future timestamp outside five minutes", () => {
    expect(verifyMarketplaceSignature(signMarketplaceBody(SECRET, body, t - 301), body, SECRET, now)).toEqual({ ok: false, problem: "stale_signature" });
    expect(verifyMarketplaceSignature(signMarketplaceBody(SECRET, body, t + 301), body, SECRET, now)).toEqual({ ok: false, problem: "stale_signature" });
    expect(verifyMarketplaceSignature(signMarketplaceBody(SECRET, body, t - 299), body, SECRET, now).ok).toBe(true);
  });

  it("refuses a captured request replayed after the window (within it, idempotency answers)", () => {
    const captured = signMarketplaceBody(SECRET, body, t);
    expect(verifyMarketplaceSignature(captured, body, SECRET, now + 60_000).ok).toBe(true);
    expect(verifyMarketplaceSignature(captured, body, SECRET, now + 6 * 60_000)).toEqual({ ok: false, problem: "stale_signature" });
  });

  it("refuses missing and malformed headers", () => {
    expect(verifyMarketplaceSignature(null, body, SECRET, now)).toEqual({ ok: false, problem: "missing_signature" });
    expect(verifyMarketplaceSignature("", body, SECRET, now)).toEqual({ ok: false, problem: "missing_signature" });
    for (const bad of ["garbage", `t=${t}`, "v1=" + "a".repeat(64), `t=abc,v1=${"a".repeat(64)}`, `t=${t},v1=xyz`, `t=${t},t=${t},v1=${"a".repeat(64)}`]) {
      expect(verifyMarketplaceSignature(bad, body, SECRET, now)).toEqual({ ok: false, problem: "malformed_signature" });
    }
  });
});
