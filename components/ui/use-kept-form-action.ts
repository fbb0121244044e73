import { useActionState, useEffect, useRef } from "react";
import { keepValuesOnSubmit } from "./keep-values-on-submit";

/**
 * A server-action form that keeps what was typed when the action refuses it (keepValuesOnSubmit)
 * and then moves focus to the first field to correct, so keyboard and screen-reader users land on
 * it. Spread `onSubmit`, `action` and `ref` on the form; `pending` is for its SubmitButton.
 */
export function useKeptFormAction<State extends { status: string }>(action: (state: State, formData: FormData) => Promise<State>, initial: State) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initial as Awaited<State>);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state.status === "error") formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
  }, [state]);
  return { state, formAction, onSubmit: keepValuesOnSubmit(formAction), pending, formRef };
}
