"use client";

import { useActionState, useEffect, useRef } from "react";
import { SubmitButton } from "@/components/ui/submit-button";
import { requestSignInLinkAction, type SignInFormState } from "./actions";

const initialState: SignInFormState = { status: "idle", email: "" };

/** The email form. Works without JavaScript too (the action is a plain form post then). */
export function SignInForm({ next }: { next: string | null }) {
  const [state, formAction] = useActionState(requestSignInLinkAction, initialState);
  const inputRef = useRef<HTMLInputElement>(null);
  const fieldError = state.status === "invalid" ? state.fieldError : null;
  const message = state.status === "rate_limited" ? state.message : null;

  // After a refused attempt, put the cursor back in the field the message is about.
  useEffect(() => {
    if (state.status !== "idle") inputRef.current?.focus();
  }, [state]);

  return (
    <form action={formAction} noValidate className="flex flex-col gap-4">
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <div className="flex flex-col gap-2">
        <label htmlFor="email" className="text-sm font-medium">
          Email address
        </label>
        <input
          ref={inputRef}
          id="email"
          name="email"
          type="email"
          autoComplete="email"
          inputMode="email"
          required
          // Re-mounted per answer so the field shows what was sent, not an emptied form.
          key={`${state.status}:${state.email}`}
          defaultValue={state.email}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? "email-hint email-error" : "email-hint"}
          className="h-11 rounded-md border border-border bg-background px-3 text-base aria-invalid:border-danger"
        />
        <p id="email-hint" className="text-sm text-muted">
          The address you used on the marketplace.
        </p>
        <p id="email-error" aria-live="polite" className="text-sm text-danger empty:hidden">
          {fieldError}
        </p>
      </div>
      <SubmitButton size="lg" pendingLabel="Sending…">
        Email me a sign-in link
      </SubmitButton>
      <p role="status" aria-live="polite" className="rounded-md border border-warning/40 bg-warning/10 p-3 text-sm text-foreground empty:hidden">
        {message}
      </p>
    </form>
  );
}
