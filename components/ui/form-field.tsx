"use client";

import { useActionState, useEffect, useRef, useTransition, type ComponentProps, type FormEvent, type ReactNode } from "react";
import type { FieldErrors } from "@/lib/actions/action-state";
import { cn } from "./cn";

// Labelled form controls with their hint and error, tied together for assistive technology
// (`aria-describedby`, `aria-invalid`), and the form hook the console's edit forms share.

export const inputClassName =
  "h-10 w-full min-w-0 rounded-md border border-border bg-background px-3 text-sm aria-invalid:border-danger focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-accent";

type FieldProps = {
  /** The control's id; the hint and error ids derive from it. */
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  errors?: string[];
  className?: string;
  children: (aria: { id: string; "aria-describedby"?: string; "aria-invalid"?: true }) => ReactNode;
};

/** A label, the control (rendered by `children` with the aria attributes to spread), a hint and the field's errors. */
export function Field({ id, label, hint, errors, className, children }: FieldProps) {
  const describedBy = [hint ? `${id}-hint` : null, errors?.length ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div className={cn("flex min-w-0 flex-col gap-1", className)}>
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {children({ id, "aria-describedby": describedBy || undefined, "aria-invalid": errors?.length ? true : undefined })}
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-muted">
          {hint}
        </p>
      ) : null}
      {errors?.length ? (
        <p id={`${id}-error`} className="text-sm text-danger">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

/** A text input inside a Field. */
export function TextField({ id, label, hint, errors, className, ...input }: Omit<FieldProps, "children"> & Omit<ComponentProps<"input">, "id" | "className">) {
  return (
    <Field id={id} label={label} hint={hint} errors={errors} className={className}>
      {(aria) => <input {...input} {...aria} className={inputClassName} />}
    </Field>
  );
}

/** A checkbox with its label beside it, a hint and errors. */
export function CheckboxField({
  id,
  label,
  hint,
  errors,
  className,
  ...input
}: Omit<FieldProps, "children"> & Omit<ComponentProps<"input">, "id" | "className" | "type">) {
  const describedBy = [hint ? `${id}-hint` : null, errors?.length ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div className={cn("flex flex-col gap-1", className)}>
      <div className="flex items-center gap-2">
        <input
          type="checkbox"
          id={id}
          {...input}
          aria-describedby={describedBy || undefined}
          aria-invalid={errors?.length ? true : undefined}
          className="size-4 accent-accent"
        />
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
      </div>
      {hint ? (
        <p id={`${id}-hint`} className="pl-6 text-xs text-muted">
          {hint}
        </p>
      ) : null}
      {errors?.length ? (
        <p id={`${id}-error`} className="pl-6 text-sm text-danger">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

/** The outcome of a form's last submit, announced politely. */
export function FormStatus({ state, className }: { state: { status: string; message?: string }; className?: string }) {
  const message = state.status === "idle" ? "" : (state.message ?? "");
  return (
    <p
      role="status"
      aria-live="polite"
      tabIndex={-1}
      className={cn(
        "rounded-md border p-3 text-sm empty:hidden",
        state.status === "error" ? "border-danger/40 bg-danger/10 text-danger" : "border-success/40 bg-success/10 text-foreground",
        className,
      )}
    >
      {message}
    </p>
  );
}

/** The field errors of a form state, by field name. */
export function fieldErrorsOf(state: { status: string; fieldErrors?: FieldErrors }): FieldErrors {
  return state.status === "error" ? (state.fieldErrors ?? {}) : {};
}

/**
 * A server-action form that keeps what was typed when the action refuses it (React resets a form
 * whose `action` ran). Submitting goes through `onSubmit` in a transition; without JavaScript the
 * form posts to `action` as usual.
 */
export function useKeptFormAction<State extends { status: string }>(action: (state: State, formData: FormData) => Promise<State>, initial: State) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initial as Awaited<State>);
  const [, startTransition] = useTransition();
  const formRef = useRef<HTMLFormElement>(null);
  // After a refused save, keyboard and screen-reader users land on the first field to correct.
  useEffect(() => {
    if (state.status !== "error") return;
    const invalid = formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]");
    (invalid ?? formRef.current?.querySelector<HTMLElement>("[role=status]"))?.focus();
  }, [state]);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
    startTransition(() => formAction(data));
  };
  return { state, formAction, onSubmit, pending, formRef };
}
