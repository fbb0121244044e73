/** Prices of one model in micro-dollars per million tokens. */
export interface ModelPricing {
  inputMicrosPerM: number;
  outputMicrosPerM: number;
  cacheReadMicrosPerM: number | null;
  cacheWriteMicrosPerM: number | null;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

const SCALE = 10n ** 10n; // 10^6 tokens per price unit x 10^4 basis points

/**
 * Cost of a request in integer micro-dollars: ceil(Σ tokens × price × multiplier / 10^10), with
 * the price per million tokens and the multiplier in basis points. Computed in BigInt so no
 * request, however large, loses a micro-dollar to rounding. Cache tokens without their own
 * price are charged as input.
 */
export function computeCostMicros(usage: TokenUsage, price: ModelPricing, multiplierBps: number): bigint {
  const cacheRead = price.cacheReadMicrosPerM ?? price.inputMicrosPerM;
  const cacheWrite = price.cacheWriteMicrosPerM ?? price.inputMicrosPerM;
  const sum =
    BigInt(usage.inputTokens) * BigInt(price.inputMicrosPerM) +
    BigInt(usage.outputTokens) * BigInt(price.outputMicrosPerM) +
    BigInt(usage.cacheReadTokens ?? 0) * BigInt(cacheRead) +
    BigInt(usage.cacheWriteTokens ?? 0) * BigInt(cacheWrite);
  const scaled = sum * BigInt(multiplierBps);
  return (scaled + SCALE - 1n) / SCALE;
}
