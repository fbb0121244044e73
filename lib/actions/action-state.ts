// The answers of server actions, shared by the actions and the client forms that read them with
// `useActionState`. No `server-only` here: client components import these types.

/** Messages per input field (dotted path), from the schema's own wording. */
export type FieldErrors = Partial<Record<string, string[]>>;

/**
 * A refused or failed action: one message for the form, plus per-field messages when the input
 * was at fault. Never carries an internal error's text.
 */
export interface ActionFailure {
  status: "error";
  message: string;
  fieldErrors?: FieldErrors;
}

/**
 * What a form keeps from its action: idle before the first submit, one of the action's own
 * outcomes (each tagged by `status`), or a failure.
 */
export type ActionState<Outcome extends { status: string }> = { status: "idle" } | Outcome | ActionFailure;
