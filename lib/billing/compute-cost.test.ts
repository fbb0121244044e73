import { describe, expect, it } from "vitest";
import { computeCostMicros } from "./compute-cost";

const sonnet = { inputMicrosPerM: 3_000_000, outputMicrosPerM: 15_000_000, cacheReadMicrosPerM: 300_000, cacheWriteMicrosPerM: 3_750_000 };

describe("computeCostMicros", () => {
  it("charges a million input tokens at the list price", () => {
    expect(computeCostMicros({ inputTokens: 1_000_000, outputTokens: 0 }, sonnet, 10_000)).toBe(3_000_000n);
  });

  it("rounds a fraction of a micro-dollar up, never down", () => {
    // 1 input token at $3/M = 3 micro-dollars exactly; 1 token at $0.10/M = 0.1 -> 1.
    expect(computeCostMicros({ inputTokens: 1, outputTokens: 0 }, sonnet, 10_000)).toBe(3n);
    expect(computeCostMicros({ inputTokens: 1, outputTokens: 0 }, { ...sonnet, inputMicrosPerM: 100_000 }, 10_000)).toBe(1n);
    expect(computeCostMicros({ inputTokens: 0, outputTokens: 0 }, sonnet, 10_000)).toBe(0n);
  });

  it("applies the plan multiplier in basis points and prices cache tokens separately", () => {
    const usage = { inputTokens: 1000, outputTokens: 500, cacheReadTokens: 2000, cacheWriteTokens: 100 };
    // (1000*3 + 500*15 + 2000*0.3 + 100*3.75) = 3000 + 7500 + 600 + 375 = 11475 micro-dollars at 1x
    expect(computeCostMicros(usage, sonnet, 10_000)).toBe(11_475n);
    expect(computeCostMicros(usage, sonnet, 12_500)).toBe(14_344n); // 14343.75 rounded up
  });

  it("charges cache tokens as input when the model has no cache price", () => {
    const plain = { ...sonnet, cacheReadMicrosPerM: null, cacheWriteMicrosPerM: null };
    expect(computeCostMicros({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 10 }, plain, 10_000)).toBe(30n);
  });
});
