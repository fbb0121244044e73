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
const SCALE_NUMBER = 1e10;

/**
 * Cost of a request in integer micro-dollars: ceil(Σ tokens × price × multiplier / 10^10), with
 * the price per million tokens and the multiplier in basis points. Exact: no request, however
 * large, loses a micro-dollar to rounding. Cache tokens without their own price are charged as
 * input.
 *
 * Every request is priced twice (its reservation and its cost), so the common case avoids BigInt:
 * when every term and the scaled sum are integers below 2^53 the number arithmetic is exact, and
 * the ceiling is taken from the exact remainder. Anything larger is computed in BigInt.
 */
export function computeCostMicros(usage: TokenUsage, price: ModelPricing, multiplierBps: number): bigint {
  const cacheRead = price.cacheReadMicrosPerM ?? price.inputMicrosPerM;
  const cacheWrite = price.cacheWriteMicrosPerM ?? price.inputMicrosPerM;
  const scaled =
    (usage.inputTokens * price.inputMicrosPerM +
      usage.outputTokens * price.outputMicrosPerM +
      (usage.cacheReadTokens ?? 0) * cacheRead +
      (usage.cacheWriteTokens ?? 0) * cacheWrite) *
    multiplierBps;
  if (Number.isSafeInteger(scaled) && scaled >= 0) {
    // scaled < 2^53 and every partial result is a non-negative integer no larger, so all are exact;
    // so are the remainder and the division of the multiple of the scale below it.
    const rest = scaled % SCALE_NUMBER;
    return BigInt((scaled - rest) / SCALE_NUMBER + (rest > 0 ? 1 : 0));
  }
  const sum =
    BigInt(usage.inputTokens) * BigInt(price.inputMicrosPerM) +
    BigInt(usage.outputTokens) * BigInt(price.outputMicrosPerM) +
    BigInt(usage.cacheReadTokens ?? 0) * BigInt(cacheRead) +
    BigInt(usage.cacheWriteTokens ?? 0) * BigInt(cacheWrite);
  const big = sum * BigInt(multiplierBps);
  return (big + SCALE - 1n) / SCALE;
}
