export { multiplierToBps, planInputSchema, type PlanInput } from "./plan-schema";
export { UnknownModelsError, upsertPlan } from "./upsert-plan";
export {
  aliasesOf,
  createPlan,
  getPlan,
  listPlans,
  PlanExistsError,
  planListQuerySchema,
  PlanNotFoundError,
  updatePlan,
  type PlanChange,
  type PlanListQuery,
  type PlanSummary,
} from "./manage-plans";
