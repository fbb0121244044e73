// Money: amounts and their formats, cost, the UTC periods a key's limit covers, the ledger (the one way
// an order's balance changes) and the spend reservations the gateway checks.
export { computeCostMicros, type ModelPricing, type TokenUsage } from "./compute-cost";
export { formatUsd, microsToUsdNumber, usdPerMToMicros, usdToMicros } from "./money";
export { periodAdjective, periodNoun, periodThis, SPEND_PERIODS, utcDay, utcMonth, utcPeriod, type SpendPeriod, type UtcMonth, type UtcPeriod } from "./period";
