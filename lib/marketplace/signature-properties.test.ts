import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeMarketplaceSignature, signMarketplaceBody, SIGNATURE_TOLERANCE_SECONDS, verifyMarketplaceSignature } from "./signature";

// Property tests of the webhook signature verifier: an authentic delivery is always accepted,
// anything changed (body, secret, time, MAC) never is, and no header makes it throw.

const RUNS = { numRuns: 200 };
const NOW_MS = Date.UTC(2026, 11, 5, 12, 0, 0);
const NOW_S = NOW_MS / 1000;

const secret = fc.string({ unit: "grapheme", minLength: 16, maxLength: 64 });
const body = fc.oneof(fc.string({ unit: "grapheme", maxLength: 400 }), fc.json({ maxDepth: 3 }));
const fresh = fc.integer({ min: NOW_S - SIGNATURE_TOLERANCE_SECONDS, max: NOW_S + SIGNATURE_TOLERANCE_SECONDS });

describe("marketplace signature verifier (properties)", () => {
  it("accepts every delivery signed with the secret within the replay window", () => {
    fc.assert(
      fc.property(secret, body, fresh, (s, b, t) => {
        expect(verifyMarketplaceSignature(signMarketplaceBody(s, b, t), b, s, NOW_MS)).toEqual({ ok: true, timestamp: t });
      }),
      RUNS,
    );
  });

  it("accepts the header however it is arranged: upper-case hex, spaces, unknown parts, a rotated secret's MAC beside it", () => {
    fc.assert(
      fc.property(secret, secret, body, fresh, fc.boolean(), (s, old, b, t, oldFirst) => {
        const mac = computeMarketplaceSignature(s, t, b);
        const other = computeMarketplaceSignature(old, t, b);
        const parts = oldFirst ? [`v1=${other}`, ` v1 = ${mac.toUpperCase()} `, "v0=abc"] : [`v1=${mac}`, "scheme=x", `v1=${other}`];
        expect(verifyMarketplaceSignature([...parts, ` t=${t}`].join(","), b, s, NOW_MS)).toMatchObject({ ok: true });
      }),
      RUNS,
    );
  });

  it("refuses a changed body, another secret, a changed MAC", () => {
    fc.assert(
      fc.property(secret, secret, body, body, fresh, fc.integer({ min: 0, max: 63 }), (s, other, b, changed, t, at) => {
        const header = signMarketplaceBody(s, b, t);
        if (changed !== b) expect(verifyMarketplaceSignature(header, changed, s, NOW_MS)).toEqual({ ok: false, problem: "invalid_signature" });
        if (other !== s) expect(verifyMarketplaceSignature(header, b, other, NOW_MS)).toEqual({ ok: false, problem: "invalid_signature" });
        const mac = header.slice(header.indexOf("v1=") + 3);
        const flipped = mac.slice(0, at) + (mac[at] === "0" ? "1" : "0") + mac.slice(at + 1);
        expect(verifyMarketplaceSignature(`t=${t},v1=${flipped}`, b, s, NOW_MS)).toEqual({ ok: false, problem: "invalid_signature" });
      }),
      RUNS,
    );
  });

  it("refuses a signature outside the replay window, even when it is authentic", () => {
    const outside = fc.oneof(
      fc.integer({ min: 0, max: NOW_S - SIGNATURE_TOLERANCE_SECONDS - 1 }),
      fc.integer({ min: NOW_S + SIGNATURE_TOLERANCE_SECONDS + 1, max: 999_999_999_999 }),
    );
    fc.assert(
      fc.property(secret, body, outside, (s, b, t) => {
        expect(verifyMarketplaceSignature(signMarketplaceBody(s, b, t), b, s, NOW_MS)).toEqual({ ok: false, problem: "stale_signature" });
      }),
      RUNS,
    );
  });

  it("never throws and never accepts an arbitrary header", () => {
    const header = fc.oneof(
      fc.string({ unit: "binary", maxLength: 2000 }),
      fc
        .array(fc.tuple(fc.constantFrom("t", "v1", "v0", "", " t", "T"), fc.string({ maxLength: 80 })), { maxLength: 6 })
        .map((parts) => parts.map(([k, v]) => `${k}=${v}`).join(",")),
      fc.constant(undefined),
      fc.constant(null),
    );
    fc.assert(
      fc.property(header, body, (h, b) => {
        const check = verifyMarketplaceSignature(h, b, "whsec-0123456789abcdef", NOW_MS);
        expect(check.ok).toBe(false);
        if (!check.ok) expect(["missing_signature", "malformed_signature", "stale_signature", "invalid_signature"]).toContain(check.problem);
      }),
      { numRuns: 500 },
    );
  });
});
