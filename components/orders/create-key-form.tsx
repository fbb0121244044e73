"use client";

import { useEffect, useRef } from "react";
import { createKeyAction, type CreateKeyState } from "@/app/(portal)/orders/[id]/actions";
import { fieldErrorsOf, FormStatus, TextField } from "@/components/ui/form-field";
import { SubmitButton } from "@/components/ui/submit-button";
import { useKeptFormAction } from "@/components/ui/use-kept-form-action";

const initial: CreateKeyState = { status: "idle" };

/**
 * "Create another key" on the order page. The new key appears as a card of its own with the same
 * one-time Reveal as the first; focus moves to its Reveal button, so a keyboard user goes on from
 * there.
 */
export function CreateKeyForm({ orderId, suggestedName }: { orderId: string; suggestedName: string }) {
  const { state, formAction, onSubmit, pending, formRef } = useKeptFormAction<CreateKeyState>(createKeyAction, initial);
  const errors = fieldErrorsOf(state);
  const focused = useRef<string | null>(null);
  useEffect(() => {
    if (state.status !== "created" || focused.current === state.keyId) return;
    focused.current = state.keyId;
    formRef.current?.reset();
    // The page re-renders with the new card; its Reveal button is the next step.
    document.querySelector<HTMLElement>(`[data-key-id="${CSS.escape(state.keyId)}"] [data-reveal-button]`)?.focus();
  }, [state, formRef]);
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} noValidate className="flex flex-col gap-3">
      <input type="hidden" name="orderId" value={orderId} />
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <TextField
          id="new-key-name"
          name="name"
          label="Name of the new key (optional)"
          placeholder={suggestedName}
          maxLength={80}
          autoComplete="off"
          errors={errors.name}
          className="sm:w-72"
        />
        <div>
          <SubmitButton pending={pending} pendingLabel="Creating…">
            Create another key
          </SubmitButton>
        </div>
      </div>
      <FormStatus state={state} />
    </form>
  );
}
