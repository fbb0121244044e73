"use client";

import { describedBy, fieldClassName, FormField, FormStatus } from "@/components/ui/form-field";
import { SubmitButton } from "@/components/ui/submit-button";
import { useKeptFormAction } from "@/components/ui/use-kept-form-action";
import { BODY_MAX, SUBJECT_MAX } from "@/lib/tickets/ticket-input";
import { CATEGORY_LABELS, TICKET_CATEGORIES, type TicketCategory } from "@/lib/tickets/ticket-labels";
import { openTicketAction, type TicketFormState } from "../actions";

export interface NewTicketDefaults {
  category: TicketCategory | "";
  orderId: string;
  subject: string;
  body: string;
  requestIds: string;
}

const initial: TicketFormState = { status: "idle" };

/** Support > New ticket. Works without JavaScript (a plain form post); errors show under their fields. */
export function NewTicketForm({ orders, defaults }: { orders: { id: string; label: string }[]; defaults: NewTicketDefaults }) {
  const { state, formAction, onSubmit, pending, formRef } = useKeptFormAction(openTicketAction, initial);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  const invalid = (field: string) => (errors[field] ? true : undefined);
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="flex max-w-2xl flex-col gap-5" noValidate>
      <FormField id="category" label="What is it about?" errors={errors.category}>
        <select
          id="category"
          name="category"
          required
          defaultValue={defaults.category}
          aria-invalid={invalid("category")}
          aria-describedby={describedBy("category", false)}
          className={`${fieldClassName} h-11 sm:h-10`}
        >
          <option value="" disabled>
            Choose a topic
          </option>
          {TICKET_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {CATEGORY_LABELS[c]}
            </option>
          ))}
        </select>
      </FormField>
      <FormField id="orderId" label="Order" hint="The order the question is about, if any." errors={errors.orderId}>
        <select
          id="orderId"
          name="orderId"
          defaultValue={defaults.orderId}
          aria-invalid={invalid("orderId")}
          aria-describedby={describedBy("orderId", true)}
          className={`${fieldClassName} h-11 sm:h-10`}
        >
          <option value="">No particular order</option>
          {orders.map((o) => (
            <option key={o.id} value={o.id}>
              {o.label}
            </option>
          ))}
        </select>
      </FormField>
      <FormField id="subject" label="Subject" errors={errors.subject}>
        <input
          id="subject"
          name="subject"
          required
          maxLength={SUBJECT_MAX}
          defaultValue={defaults.subject}
          aria-invalid={invalid("subject")}
          aria-describedby={describedBy("subject", false)}
          className={`${fieldClassName} h-11 sm:h-10`}
        />
      </FormField>
      <FormField id="body" label="Message" hint="What happened, what you expected, and when. Never paste your API key: we never need it." errors={errors.body}>
        <textarea
          id="body"
          name="body"
          required
          rows={8}
          maxLength={BODY_MAX}
          defaultValue={defaults.body}
          aria-invalid={invalid("body")}
          aria-describedby={describedBy("body", true)}
          className={`${fieldClassName} py-2`}
        />
      </FormField>
      <FormField
        id="requestIds"
        label="Request ids (optional)"
        hint="From the x-request-id header or the request_id of an error, e.g. req_4f…; separate several with spaces."
        errors={errors.requestIds}
      >
        <input
          id="requestIds"
          name="requestIds"
          defaultValue={defaults.requestIds}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={invalid("requestIds")}
          aria-describedby={describedBy("requestIds", true)}
          className={`${fieldClassName} h-11 font-mono sm:h-10`}
        />
      </FormField>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pending={pending} pendingLabel="Sending…">
          Open ticket
        </SubmitButton>
        <FormStatus state={state} />
      </div>
    </form>
  );
}
