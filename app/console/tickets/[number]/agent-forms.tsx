"use client";

import { useActionState, useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { describedBy, fieldClassName, FormField, FormStatus } from "@/components/ui/form-field";
import { SubmitButton } from "@/components/ui/submit-button";
import { useKeptFormAction } from "@/components/ui/use-kept-form-action";
import type { CannedReply } from "@/lib/tickets/canned-replies";
import { BODY_MAX } from "@/lib/tickets/ticket-input";
import { PRIORITY_LABELS, STATUS_LABELS, TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from "@/lib/tickets/ticket-labels";
import { agentMessageAction, rotateFromTicketAction, updateTicketAction, type AgentFormState } from "../actions";

const initial: AgentFormState = { status: "idle" };

/** Reply to the buyer or add an internal note; a canned reply fills the box as a starting point. */
export function AgentMessageForm({ number, canned }: { number: number; canned: readonly CannedReply[] }) {
  const { state, formAction, onSubmit, pending, formRef } = useKeptFormAction(agentMessageAction, initial);
  const [internal, setInternal] = useState(false);
  const body = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (state.status === "success") formRef.current?.reset();
  }, [state, formRef]);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} onReset={() => setInternal(false)} className="flex flex-col gap-3" noValidate>
      <input type="hidden" name="number" value={number} />
      <div className="flex min-w-0 flex-col gap-1.5">
        <label htmlFor="canned" className="text-sm font-medium">
          Canned reply
        </label>
        <select
          id="canned"
          defaultValue=""
          className={`${fieldClassName} h-10`}
          onChange={(e) => {
            const reply = canned.find((c) => c.id === e.target.value);
            if (reply && body.current) {
              body.current.value = reply.body;
              body.current.focus();
            }
          }}
        >
          <option value="">Write your own</option>
          {canned.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <FormField
        id="agent-body"
        label={internal ? "Internal note (staff only)" : "Reply to the buyer"}
        hint={internal ? "Only support and admins see notes; the buyer is not mailed." : "The buyer sees this on the ticket and gets it by email."}
        errors={errors.body}
      >
        <textarea
          ref={body}
          id="agent-body"
          name="body"
          rows={6}
          required
          maxLength={BODY_MAX}
          aria-invalid={errors.body ? true : undefined}
          aria-describedby={describedBy("agent-body", true)}
          className={`${fieldClassName} py-2 ${internal ? "border-dashed border-warning bg-warning/5" : ""}`}
        />
      </FormField>
      <div className="flex flex-wrap items-end gap-4">
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="internal" checked={internal} onChange={(e) => setInternal(e.target.checked)} className="size-4" />
          Internal note
        </label>
        {internal ? null : (
          <div className="flex min-w-0 flex-col gap-1">
            <label htmlFor="reply-status" className="text-sm font-medium">
              Then set status to
            </label>
            <select id="reply-status" name="status" defaultValue="WAITING_ON_CUSTOMER" className={`${fieldClassName} h-10`}>
              {TICKET_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pending={pending} pendingLabel="Sending…" variant={internal ? "secondary" : "primary"}>
          {internal ? "Add note" : "Send reply"}
        </SubmitButton>
        <FormStatus state={state} />
      </div>
    </form>
  );
}

/** Status, priority and assignee, saved together. */
export function TicketSettingsForm({
  number,
  status,
  priority,
  assigneeId,
  agents,
}: {
  number: number;
  status: TicketStatus;
  priority: TicketPriority;
  assigneeId: string | null;
  agents: { id: string; label: string }[];
}) {
  const [state, action] = useActionState<AgentFormState, FormData>(updateTicketAction, initial);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  return (
    <form action={action} className="flex flex-col gap-3">
      <input type="hidden" name="number" value={number} />
      <FormField id="ticket-status" label="Status">
        <select id="ticket-status" name="status" defaultValue={status} className={`${fieldClassName} h-10`}>
          {TICKET_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </FormField>
      <FormField id="ticket-priority" label="Priority">
        <select id="ticket-priority" name="priority" defaultValue={priority} className={`${fieldClassName} h-10`}>
          {TICKET_PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {PRIORITY_LABELS[p]}
            </option>
          ))}
        </select>
      </FormField>
      <FormField id="ticket-assignee" label="Assignee" errors={errors.assigneeId}>
        <select
          id="ticket-assignee"
          name="assigneeId"
          defaultValue={assigneeId ?? ""}
          aria-describedby={describedBy("ticket-assignee", false)}
          className={`${fieldClassName} h-10`}
        >
          <option value="">Unassigned</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.label}
            </option>
          ))}
        </select>
      </FormField>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton size="sm" variant="secondary" pendingLabel="Saving…">
          Save
        </SubmitButton>
        <FormStatus state={state} />
      </div>
    </form>
  );
}

/**
 * Rotate one key from the ticket: a dialog names the key's last four, asks for them to be typed
 * and for the overlap. The buyer reveals the new key; it never appears here.
 */
export function RotateKeyFromTicket({
  number,
  keyId,
  lastFour,
  orderLabel,
  canRotate,
}: {
  number: number;
  keyId: string;
  lastFour: string;
  orderLabel: string;
  canRotate: boolean;
}) {
  const { state, formAction, onSubmit, pending, formRef } = useKeptFormAction(rotateFromTicketAction, initial);
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const outcome = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (state.status === "success") {
      dialog.current?.close();
      // The Rotate button is gone once the page shows the key as replaced: focus the outcome.
      outcome.current?.focus();
    }
  }, [state]);
  const errors = state.status === "error" ? (state.fieldErrors ?? {}) : {};
  return (
    <>
      {canRotate ? (
        <Button
          size="sm"
          variant="secondary"
          className="self-start"
          onClick={() => dialog.current?.showModal()}
          aria-label={`Rotate key ending in ${lastFour}`}
        >
          Rotate
        </Button>
      ) : null}
      <p ref={outcome} tabIndex={-1} role="status" aria-live="polite" className="text-xs text-success empty:hidden focus:outline-none">
        {state.status === "success" ? state.message : ""}
      </p>
      <dialog
        ref={dialog}
        aria-labelledby={`${id}-title`}
        className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-lg border border-border bg-background p-6 text-foreground backdrop:bg-black/50"
      >
        <form ref={formRef} action={formAction} onSubmit={onSubmit} className="flex flex-col gap-4">
          <h2 id={`${id}-title`} className="text-lg font-semibold">
            Rotate the key ending in {lastFour}?
          </h2>
          <p className="text-sm">
            Order {orderLabel}. A new key is issued for the buyer to reveal on the order page; a reply telling them so is added to this ticket and mailed.
          </p>
          <input type="hidden" name="number" value={number} />
          <input type="hidden" name="keyId" value={keyId} />
          <FormField id={`${id}-overlap`} label="The old key keeps working" errors={errors.overlap}>
            <select id={`${id}-overlap`} name="overlap" defaultValue="none" className={`${fieldClassName} h-10`}>
              <option value="none">No: stop it now</option>
              <option value="1h">For 1 hour</option>
              <option value="24h">For 24 hours</option>
            </select>
          </FormField>
          <FormField id={`${id}-last-four`} label={`Type ${lastFour} to confirm`} errors={errors.lastFour}>
            <input
              id={`${id}-last-four`}
              name="lastFour"
              autoComplete="off"
              spellCheck={false}
              required
              aria-invalid={errors.lastFour ? true : undefined}
              aria-describedby={describedBy(`${id}-last-four`, false)}
              className={`${fieldClassName} h-10 font-mono`}
            />
          </FormField>
          {state.status === "error" && !state.fieldErrors ? (
            <p role="alert" className="text-sm text-danger">
              {state.message}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </Button>
            <SubmitButton pending={pending} variant="danger" pendingLabel="Rotating…">
              Rotate key
            </SubmitButton>
          </div>
        </form>
      </dialog>
    </>
  );
}
