import { startTransition, type FormEvent } from "react";

/**
 * An `onSubmit` for a form whose action runs through `useActionState`: it runs the action without
 * React's automatic form reset, so what the person typed stays in place when the action refuses it
 * (a reset would throw away a long message over one bad field). Without JavaScript the form still
 * posts to the same action. Forms that should empty after success reset themselves.
 */
export function keepValuesOnSubmit(action: (formData: FormData) => void) {
  return (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formData = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
    startTransition(() => action(formData));
  };
}
