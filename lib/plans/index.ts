export { microsToUsd, multiplierToBps, planInputSchema, usdToMicros, type PlanInput } from "./plan-schema";
export { UnknownModelsError, upsertPlan } from "./upsert-plan";
