import { describe, expect, it } from "vitest";
import { deriveSecretKeys } from "./derive-secret-keys";
import { decryptSecret, encryptSecret } from "./encrypt-secret";
import { hmacLookup } from "./hmac-lookup";

const SECRET = "a".repeat(32);

describe("deriveSecretKeys", () => {
  it("derives three distinct 32-byte keys, the same ones every time", () => {
    const keys = deriveSecretKeys(SECRET);
    const again = deriveSecretKeys(SECRET);
    const hex = [keys.keyPepper, keys.revealKey, keys.channelKey].map((b) => b.toString("hex"));
    expect(new Set(hex).size).toBe(3);
    for (const key of [keys.keyPepper, keys.revealKey, keys.channelKey]) expect(key).toHaveLength(32);
    expect(again.keyPepper.equals(keys.keyPepper)).toBe(true);
    expect(again.revealKey.equals(keys.revealKey)).toBe(true);
    expect(again.channelKey.equals(keys.channelKey)).toBe(true);
  });

  it("derives different keys from a different secret", () => {
    const a = deriveSecretKeys(SECRET);
    const b = deriveSecretKeys(`${SECRET}b`);
    expect(a.keyPepper.equals(b.keyPepper)).toBe(false);
    expect(a.revealKey.equals(b.revealKey)).toBe(false);
    expect(a.channelKey.equals(b.channelKey)).toBe(false);
  });

  it("keeps reveal and channel ciphertexts apart", () => {
    const { revealKey, channelKey, keyPepper } = deriveSecretKeys(SECRET);
    const encoded = encryptSecret("upstream-secret", channelKey, "channel_1");
    expect(decryptSecret(encoded, channelKey, "channel_1")).toBe("upstream-secret");
    expect(() => decryptSecret(encoded, revealKey, "channel_1")).toThrow();
    expect(hmacLookup("x", keyPepper)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a short secret without repeating it", () => {
    expect(() => deriveSecretKeys("hunter2")).toThrow(/at least 32/);
    expect(() => deriveSecretKeys("hunter2")).not.toThrow(/hunter2/);
  });
});
