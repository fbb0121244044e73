import { describe, expect, it } from "vitest";
import { diagnoseApiKey } from "./diagnose-api-key";
import { generateApiKey } from "./generate-api-key";
import { formatKeyMask, keyLastFour, maskApiKey } from "./mask-api-key";

const KEY = "sk-gate-003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hP";

describe("maskApiKey", () => {
  it("shows the prefix, an ellipsis and the last four", () => {
    expect(keyLastFour(KEY)).toBe("o7hP");
    expect(maskApiKey(KEY)).toBe("sk-gate-…o7hP");
    expect(formatKeyMask("o7hP")).toBe("sk-gate-…o7hP");
  });

  it("produces a mask the gateway recognises as a pasted preview", () => {
    for (let i = 0; i < 50; i++) {
      expect(diagnoseApiKey(maskApiKey(generateApiKey()))).toEqual({
        ok: false,
        code: "api_key_masked_preview",
      });
    }
  });

  it("refuses values that are not keys, without echoing them", () => {
    expect(() => maskApiKey("not-a-key")).toThrow(TypeError);
    expect(() => maskApiKey("sk-gate-")).toThrow(TypeError);
    expect(() => keyLastFour("ab")).toThrow(TypeError);
    expect(() => formatKeyMask("a…bc")).toThrow(TypeError);
    try {
      maskApiKey("secret-value-1234");
    } catch (error) {
      expect(String(error)).not.toContain("secret-value");
    }
  });
});
