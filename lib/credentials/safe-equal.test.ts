import { describe, expect, it } from "vitest";
import { safeEqual } from "./safe-equal";

describe("safeEqual", () => {
  it("compares strings exactly", () => {
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("", "")).toBe(true);
    expect(safeEqual("abc", "abd")).toBe(false);
    expect(safeEqual("abc", "ABC")).toBe(false);
    expect(safeEqual("é", "e\u0301")).toBe(false);
  });

  it("handles different lengths without throwing", () => {
    expect(safeEqual("abc", "abcd")).toBe(false);
    expect(safeEqual("", "a")).toBe(false);
    expect(safeEqual("a".repeat(10_000), "a".repeat(10_001))).toBe(false);
  });

  it("agrees with === on random pairs", () => {
    for (let i = 0; i < 200; i++) {
      const a = Math.random()
        .toString(36)
        .slice(2, 2 + (i % 12));
      const b =
        i % 3 === 0
          ? a
          : Math.random()
              .toString(36)
              .slice(2, 2 + (i % 12));
      expect(safeEqual(a, b)).toBe(a === b);
    }
  });
});
