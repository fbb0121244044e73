export { multiplierToBps, planInputSchema, type PlanInput } from "./plan-schema";
export { UnknownModelsError, upsertPlan } from "./upsert-plan";
