import { describe, expect, it } from "vitest";
import { formatUsd, microsToUsdNumber, microsToUsdText, parseUsdToMicros, usdPerMToMicros, usdToMicros } from "./money";

describe("formatUsd", () => {
  it.each([
    [0, "$0.00"],
    [1, "$0.000001"],
    [1_500_000, "$1.50"],
    [1_234_567_890, "$1,234.56789"],
    [-2_000_000n, "-$2.00"],
  ])("%s micro-dollars → %s", (micros, expected) => {
    expect(formatUsd(micros)).toBe(expected);
  });
});

describe("dollars in and out", () => {
  it("rounds input to the micro-dollar and keeps JSON numbers exact", () => {
    expect(usdToMicros(12.5)).toBe(12_500_000n);
    expect(usdToMicros(0.0000004)).toBe(0n);
    expect(usdToMicros(0.0001)).toBe(100n);
    expect(usdPerMToMicros(0.4)).toBe(400_000);
    expect(microsToUsdNumber(10n)).toBe(0.00001);
    expect(microsToUsdNumber(null)).toBeNull();
  });
});

describe("dollars typed into a form", () => {
  it("reads decimal text exactly, to the micro-dollar", () => {
    expect(parseUsdToMicros("12.5")).toBe(12_500_000n);
    expect(parseUsdToMicros(" $0.40 ")).toBe(400_000n);
    expect(parseUsdToMicros("1,250")).toBe(1_250_000_000n);
    expect(parseUsdToMicros(".25")).toBe(250_000n);
    expect(parseUsdToMicros("3.")).toBe(3_000_000n);
    expect(parseUsdToMicros("0.000001")).toBe(1n);
    expect(parseUsdToMicros("0")).toBe(0n);
    // 0.1 + 0.2 style float error cannot happen: 4.35 is 4_350_000, not 4_349_999.
    expect(parseUsdToMicros("4.35")).toBe(4_350_000n);
  });
  it("refuses what is not an amount of dollars", () => {
    for (const text of ["", " ", "$", ".", "-1", "1.0000001", "1e3", "12,34", "1,2345", "abc", "1.2.3", "NaN", "Infinity"]) {
      expect(parseUsdToMicros(text), text).toBeNull();
    }
  });
  it("writes micro-dollars back as a form's value, which reads back the same", () => {
    for (const micros of [0n, 1n, 125n, 400_000n, 12_500_000n, 3_000_000n, 1_250_000_000n]) {
      expect(parseUsdToMicros(microsToUsdText(micros))).toBe(micros);
    }
    expect(microsToUsdText(12_500_000)).toBe("12.5");
    expect(microsToUsdText(125)).toBe("0.000125");
    expect(microsToUsdText(3_000_000n)).toBe("3");
  });
});

describe("microsToUsdText", () => {
  it("writes exact plain decimals, negative ones included", () => {
    expect(microsToUsdText(0n)).toBe("0");
    expect(microsToUsdText(-1_000_001n)).toBe("-1.000001");
    expect(microsToUsdText(123_456_789_012_345_678n)).toBe("123456789012.345678");
  });
});
