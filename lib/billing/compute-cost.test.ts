import { describe, expect, it } from "vitest";
import { computeCostMicros, type ModelPricing, type TokenUsage } from "./compute-cost";

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

describe("computeCostMicros without BigInt", () => {
  // The reference: the same formula entirely in BigInt.
  const exact = (u: Required<TokenUsage>, p: ModelPricing, bps: number) => {
    const sum =
      BigInt(u.inputTokens) * BigInt(p.inputMicrosPerM) +
      BigInt(u.outputTokens) * BigInt(p.outputMicrosPerM) +
      BigInt(u.cacheReadTokens) * BigInt(p.cacheReadMicrosPerM ?? p.inputMicrosPerM) +
      BigInt(u.cacheWriteTokens) * BigInt(p.cacheWriteMicrosPerM ?? p.inputMicrosPerM);
    const scaled = sum * BigInt(bps);
    return (scaled + 10n ** 10n - 1n) / 10n ** 10n;
  };

  it("agrees with the BigInt formula to the micro-dollar, across and beyond 2^53", () => {
    let seed = 42;
    const rand = (max: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * max);
    };
    const pick = (values: number[]) => values[rand(values.length)]!;
    for (let i = 0; i < 20_000; i++) {
      const u = {
        inputTokens: pick([0, 1, 7, rand(1000), rand(200_000), rand(2_000_000), rand(50_000_000)]),
        outputTokens: pick([0, 1, rand(100), rand(64_000), rand(1_000_000)]),
        cacheReadTokens: pick([0, rand(1_000_000)]),
        cacheWriteTokens: pick([0, rand(100_000)]),
      };
      const p: ModelPricing = {
        inputMicrosPerM: pick([0, 1, 150_000, 3_000_000, 15_000_000, rand(100_000_000)]),
        outputMicrosPerM: pick([0, 600_000, 15_000_000, 75_000_000, rand(200_000_000)]),
        cacheReadMicrosPerM: pick([0, 300_000, rand(10_000_000)]) || null,
        cacheWriteMicrosPerM: pick([0, 3_750_000, rand(20_000_000)]) || null,
      };
      const bps = pick([1, 5_000, 10_000, 12_345, 30_000, rand(1_000_000)]);
      expect(computeCostMicros(u, p, bps)).toBe(exact(u, p, bps));
    }
  });

  it("lands exactly on multiples of 10^10 and one above", () => {
    const price: ModelPricing = { inputMicrosPerM: 1, outputMicrosPerM: 1, cacheReadMicrosPerM: null, cacheWriteMicrosPerM: null };
    for (const tokens of [1e6, 1e6 + 1, 1e10 - 1, 1e10, 1e10 + 1, 9e11]) {
      expect(computeCostMicros({ inputTokens: tokens, outputTokens: 0 }, price, 10_000)).toBe((BigInt(tokens) * 10_000n + 10n ** 10n - 1n) / 10n ** 10n);
    }
  });
});
