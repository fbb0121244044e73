import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { API_KEY_LENGTH, API_KEY_PREFIX, API_KEY_REGEX, MAX_API_KEY_BODY, apiKeyChecksum, formatApiKey } from "./api-key-format";
import { encodeBase62 } from "./base62";
import { diagnoseApiKey } from "./diagnose-api-key";
import { generateApiKey } from "./generate-api-key";

const SEQUENTIAL = Uint8Array.from({ length: 32 }, (_, i) => i);
const ALL_FF = new Uint8Array(32).fill(0xff);

describe("formatApiKey", () => {
  it("matches DESIGN.md's test vectors", () => {
    expect(formatApiKey(SEQUENTIAL)).toBe("sk-gate-003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hP");
    expect(formatApiKey(ALL_FF)).toBe("sk-gate-yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp13sRzl1");
  });

  it("pads the all-zero key to full width", () => {
    const key = formatApiKey(new Uint8Array(32));
    expect(key).toHaveLength(API_KEY_LENGTH);
    expect(key.startsWith(`${API_KEY_PREFIX}${"0".repeat(43)}`)).toBe(true);
    expect(diagnoseApiKey(key)).toEqual({ ok: true, key });
  });

  it("refuses anything but 32 bytes without echoing them", () => {
    expect(() => formatApiKey(new Uint8Array(31))).toThrow(RangeError);
    expect(() => formatApiKey(new Uint8Array(33))).toThrow(RangeError);
  });

  it("knows the largest body is the 32 × ff one", () => {
    expect(MAX_API_KEY_BODY).toBe(formatApiKey(ALL_FF).slice(8, 51));
  });

  it("computes the checksum as base62 of zlib's CRC-32", () => {
    expect(apiKeyChecksum("")).toBe("000000");
    // crc32("a") = 0xe8b7be43 = 4GEHKN in base62
    expect(apiKeyChecksum("a")).toBe(encodeBase62(0xe8b7be43n, 6));
    expect(apiKeyChecksum("a")).toBe("4GEHKN");
  });
});

describe("encodeBase62", () => {
  it("pads and refuses values too wide", () => {
    expect(encodeBase62(0n, 3)).toBe("000");
    expect(encodeBase62(61n, 2)).toBe("0z");
    expect(encodeBase62(62n, 2)).toBe("10");
    expect(() => encodeBase62(62n ** 2n, 2)).toThrow(RangeError);
    expect(() => encodeBase62(-1n, 2)).toThrow(RangeError);
  });

  it("encodes a number as it encodes the same bigint", () => {
    for (const value of [0, 1, 61, 62, 0xe8b7be43, 0xffffffff, 62 ** 6 - 1, Number.MAX_SAFE_INTEGER])
      expect(encodeBase62(value, 9)).toBe(encodeBase62(BigInt(value), 9));
    expect(() => encodeBase62(62 ** 2, 2)).toThrow(RangeError);
    expect(() => encodeBase62(-1, 2)).toThrow(RangeError);
    expect(() => encodeBase62(0.5, 2)).toThrow(RangeError);
  });
});

describe("generateApiKey", () => {
  it("uses given bytes", () => {
    expect(generateApiKey(SEQUENTIAL)).toBe(formatApiKey(SEQUENTIAL));
  });

  it("produces distinct well-formed keys that diagnose as valid (1000 random keys)", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const key = generateApiKey();
      expect(key).toHaveLength(API_KEY_LENGTH);
      expect(API_KEY_REGEX.test(key)).toBe(true);
      expect(diagnoseApiKey(key)).toEqual({ ok: true, key });
      seen.add(key);
    }
    expect(seen.size).toBe(1000);
  });

  it("round-trips bytes to the same big-endian number (500 random byte strings)", () => {
    for (let i = 0; i < 500; i++) {
      const bytes = randomBytes(32);
      const body = formatApiKey(bytes).slice(8, 51);
      let value = 0n;
      for (const ch of body) {
        value = value * 62n + BigInt("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".indexOf(ch));
      }
      expect(value).toBe(BigInt(`0x${bytes.toString("hex")}`));
    }
  });
});
