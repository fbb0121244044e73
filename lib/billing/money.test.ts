import { describe, expect, it } from "vitest";
import { formatUsd, microsToUsdNumber, microsToUsdText, usdPerMToMicros, usdToMicros } from "./money";

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

describe("microsToUsdText", () => {
  it("writes exact plain decimals", () => {
    expect(microsToUsdText(0n)).toBe("0");
    expect(microsToUsdText(12_500_000n)).toBe("12.5");
    expect(microsToUsdText(125n)).toBe("0.000125");
    expect(microsToUsdText(-1_000_001n)).toBe("-1.000001");
    expect(microsToUsdText(123_456_789_012_345_678n)).toBe("123456789012.345678");
  });
});
