"use client";

import { useActionState, useEffect } from "react";
import { describedBy, fieldClassName, FormField, FormStatus } from "@/components/ui/form-field";
import { SubmitButton } from "@/components/ui/submit-button";
import { useKeptFormAction } from "@/components/ui/use-kept-form-action";
import { BODY_MAX } from "@/lib/tickets/ticket-input";
import { closeTicketAction, replyToTicketAction, type TicketFormState } from "../actions";

const initial: TicketFormState = { status: "idle" };

/** The buyer's reply box; emptied after a reply is sent. */
export function BuyerReplyForm({ number, reopens }: { number: number; reopens: boolean }) {
  const { state, formAction, onSubmit, pending, formRef } = useKeptFormAction(replyToTicketAction, initial);
  useEffect(() => {
    if (state.status === "success") formRef.current?.reset();
  }, [state, formRef]);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="flex flex-col gap-3" noValidate>
      <input type="hidden" name="number" value={number} />
      <FormField id="reply" label="Your reply" hint={reopens ? "Replying sends the ticket back to support." : undefined} errors={errors.body}>
        <textarea
          id="reply"
          name="body"
          rows={5}
          required
          maxLength={BODY_MAX}
          aria-invalid={errors.body ? true : undefined}
          aria-describedby={describedBy("reply", reopens)}
          className={`${fieldClassName} py-2`}
        />
      </FormField>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pending={pending} pendingLabel="Sending…">
          Send reply
        </SubmitButton>
        <FormStatus state={state} />
      </div>
    </form>
  );
}

/** Closes the ticket when the buyer needs nothing more. */
export function CloseTicketForm({ number }: { number: number }) {
  const [state, action] = useActionState<TicketFormState, FormData>(closeTicketAction, initial);
  return (
    <form action={action} className="flex flex-wrap items-center gap-3">
      <input type="hidden" name="number" value={number} />
      <SubmitButton variant="secondary" pendingLabel="Closing…">
        Close ticket
      </SubmitButton>
      <FormStatus state={state} />
    </form>
  );
}
