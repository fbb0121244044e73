export { computeCostMicros, type ModelPricing, type TokenUsage } from "./compute-cost";
