// Server-action wrappers: one per kind of caller. Each checks the session and role, parses the
// input with zod and turns failures into form state, so an action file declares only what it needs.
export type { ActionFailure, ActionState, FieldErrors } from "./action-state";
export { buyerAction, type BuyerCaller } from "./buyer-action";
export type { ActionContext, ActionOptions, ServerAction } from "./define-action";
export { staffAction, type StaffRole } from "./staff-action";
