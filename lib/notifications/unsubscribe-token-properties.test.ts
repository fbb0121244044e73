import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { NotificationKind } from "./notification-stages";
import { createUnsubscribeToken, deriveUnsubscribeKey, verifyUnsubscribeToken } from "./unsubscribe-token";

// The token of POST /api/unsubscribe?t=… is the route's only input and its only permission: any
// text a client puts there is refused (the route answers 400 and writes nothing) unless it is a
// token this server signed, unchanged.

const KEY = deriveUnsubscribeKey("unsubscribe-properties-secret-0123456789abcdef");
const KINDS: NotificationKind[] = ["ACCESS_REMINDER", "CREDIT_ALERT", "KEY_LIMIT_ALERT"];
const customerId = fc.stringMatching(/^[a-z0-9]{20,30}$/);

describe("unsubscribe token (properties)", () => {
  it("verifies every token it signs, naming its account and kind", () => {
    fc.assert(
      fc.property(customerId, fc.constantFrom(...KINDS), (id, kind) => {
        expect(verifyUnsubscribeToken(KEY, createUnsubscribeToken(KEY, id, kind))).toEqual({ customerId: id, kind });
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a token changed anywhere, moved to another account or kind, or signed with another key", () => {
    fc.assert(
      fc.property(customerId, customerId, fc.constantFrom(...KINDS), fc.nat(), fc.integer({ min: 1, max: 63 }), (id, other, kind, at, shift) => {
        const token = createUnsubscribeToken(KEY, id, kind);
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const i = at % token.length;
        const c = token[i]!;
        const changed = token.slice(0, i) + (c === "." ? "x" : alphabet[(alphabet.indexOf(c) + shift) % 64]!) + token.slice(i + 1);
        expect(verifyUnsubscribeToken(KEY, changed)).toBeNull();
        if (other !== id) expect(verifyUnsubscribeToken(KEY, token.replace(id, other))).toBeNull();
        expect(verifyUnsubscribeToken(deriveUnsubscribeKey("another-secret-0123456789abcdefghijklmn"), token)).toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it("never throws on, and never accepts, arbitrary text", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.tuple(fc.string({ maxLength: 70 }), fc.string({ maxLength: 12 }), fc.string({ maxLength: 50 })).map((p) => p.join(".")),
      fc.constantFrom("", "../../etc/passwd", "%00", "a.access." + "A".repeat(43), "x".repeat(100_000)),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(verifyUnsubscribeToken(KEY, t)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });
});
