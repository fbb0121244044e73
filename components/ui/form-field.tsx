import type { ComponentProps, ReactNode } from "react";
import { cn } from "./cn";

/** The look of text inputs, selects and text areas in forms. */
export const fieldClassName = "rounded-md border border-border bg-background px-3 text-base sm:text-sm aria-invalid:border-danger";

/**
 * A labelled form control with an optional hint and its error messages. The control itself is
 * passed in and must carry `id={id}`, `aria-invalid` and `aria-describedby={describedBy(id, …)}`.
 */
export function FormField({
  id,
  label,
  hint,
  errors,
  children,
  className,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  errors?: string[];
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={cn("flex min-w-0 flex-col gap-1.5", className)}>
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="text-sm text-muted">
          {hint}
        </p>
      ) : null}
      <p id={`${id}-error`} className="text-sm text-danger empty:hidden">
        {errors?.join(" ")}
      </p>
    </div>
  );
}

/** `aria-describedby` for a FormField's control: its hint (when it has one) and its error line. */
export function describedBy(id: string, hasHint: boolean): string {
  return hasHint ? `${id}-hint ${id}-error` : `${id}-error`;
}

/** A form's outcome line: announced politely, red for a failure. */
export function FormStatus({ state }: { state: { status: string; message?: string } }) {
  return (
    <p role="status" aria-live="polite" className={cn("text-sm empty:hidden", state.status === "error" ? "text-danger" : "text-success")}>
      {state.status !== "idle" && "message" in state ? state.message : ""}
    </p>
  );
}

/** A text input, select or text area the full width of its field, a comfortable height. */
export const inputClassName = cn(fieldClassName, "h-10 w-full min-w-0");

/** A labelled text input with its hint and errors (FormField with the aria wiring done). */
export function TextField({
  id,
  label,
  hint,
  errors,
  className,
  ...input
}: { id: string; label: ReactNode; hint?: ReactNode; errors?: string[]; className?: string } & Omit<ComponentProps<"input">, "id" | "className">) {
  return (
    <FormField id={id} label={label} hint={hint} errors={errors} className={className}>
      <input {...input} id={id} aria-invalid={errors?.length ? true : undefined} aria-describedby={describedBy(id, Boolean(hint))} className={inputClassName} />
    </FormField>
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
}: { id: string; label: ReactNode; hint?: ReactNode; errors?: string[]; className?: string } & Omit<ComponentProps<"input">, "id" | "className" | "type">) {
  return (
    <div className={cn("flex flex-col gap-1", className)}>
      <div className="flex items-center gap-2">
        <input
          type="checkbox"
          id={id}
          {...input}
          aria-describedby={describedBy(id, Boolean(hint))}
          aria-invalid={errors?.length ? true : undefined}
          className="size-4 accent-accent"
        />
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
      </div>
      {hint ? (
        <p id={`${id}-hint`} className="pl-6 text-sm text-muted">
          {hint}
        </p>
      ) : null}
      <p id={`${id}-error`} className="pl-6 text-sm text-danger empty:hidden">
        {errors?.join(" ")}
      </p>
    </div>
  );
}

/** The field errors of a form state, by field name (none unless it failed). */
export function fieldErrorsOf(state: { status: string; fieldErrors?: Partial<Record<string, string[]>> }): Partial<Record<string, string[]>> {
  return state.status === "error" ? (state.fieldErrors ?? {}) : {};
}
