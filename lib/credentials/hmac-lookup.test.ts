import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hmacLookup } from "./hmac-lookup";

const KEY = "sk-gate-003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hP";

describe("hmacLookup", () => {
  it("is HMAC-SHA256 hex, deterministic for one pepper", () => {
    const pepper = randomBytes(32);
    const digest = hmacLookup(KEY, pepper);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(hmacLookup(KEY, pepper)).toBe(digest);
    expect(digest).toBe(createHmac("sha256", pepper).update(KEY).digest("hex"));
    expect(digest).not.toContain(KEY.slice(8, 20));
  });

  it("depends on the pepper and on every character of the key", () => {
    const pepper = randomBytes(32);
    expect(hmacLookup(KEY, randomBytes(32))).not.toBe(hmacLookup(KEY, pepper));
    expect(hmacLookup(`${KEY.slice(0, -1)}Q`, pepper)).not.toBe(hmacLookup(KEY, pepper));
  });

  it("refuses a short pepper", () => {
    expect(() => hmacLookup(KEY, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => hmacLookup(KEY, randomBytes(16))).toThrow(RangeError);
  });
});
