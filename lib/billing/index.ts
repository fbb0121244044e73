// Money: amounts and their formats, cost, the month a key's limit covers, the ledger (the one way
// an order's balance changes) and the spend reservations the gateway checks.
export { computeCostMicros, type ModelPricing, type TokenUsage } from "./compute-cost";
export { formatUsd, microsToUsdNumber, usdPerMToMicros, usdToMicros } from "./money";
export { utcMonth, type UtcMonth } from "./period";
