"use client";

import { useActionState, useId, type ReactNode } from "react";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ServerAction } from "@/lib/actions";
import { adjustOrderCreditAction, cancelOrderAction, changeOrderWindowAction, type OrderActionState } from "./actions";

const initialState: FormState = { status: "idle" };
const inputClass = "h-9 rounded-md border border-border bg-background px-3 text-sm aria-[invalid=true]:border-danger";

function errorsOf(state: FormState, field: string): string[] | undefined {
  return state.status === "error" ? state.fieldErrors?.[field] : undefined;
}

/** A labelled control with its error underneath, tied together for screen readers. */
function Field({ id, label, errors, children }: { id: string; label: string; errors?: string[]; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {children}
      {errors?.length ? (
        <p id={`${id}-error`} className="text-xs text-danger">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

function fieldProps(id: string, errors?: string[]) {
  return { id, "aria-invalid": errors?.length ? true : undefined, "aria-describedby": errors?.length ? `${id}-error` : undefined } as const;
}

/** The outcome of the last submit, announced politely. */
function Outcome({ state }: { state: FormState }) {
  return (
    <p role="status" aria-live="polite" className={state.status === "error" ? "text-sm text-danger" : "text-sm text-success empty:hidden"}>
      {state.status === "idle" ? "" : state.message}
    </p>
  );
}

function ReasonField({ id, state }: { id: string; state: FormState }) {
  const errors = errorsOf(state, "reason");
  return (
    <Field id={id} label="Reason (kept in the audit log)" errors={errors}>
      <input
        {...fieldProps(id, errors)}
        name="reason"
        type="text"
        required
        minLength={3}
        maxLength={500}
        defaultValue={entered(state, "reason")}
        className={`${inputClass} w-full`}
      />
    </Field>
  );
}

type FormState = OrderActionState & { values?: Record<string, string> };

/**
 * The form's state, plus what was entered when the action refused it: React resets a form after
 * its action, and the fields then show these again instead of going blank.
 */
function useOrderForm<Input>(action: ServerAction<Input, OrderActionState>) {
  return useActionState<FormState, FormData>(async (previous, data) => {
    const result = await action(previous, data);
    if (result.status !== "error") return result;
    const values: Record<string, string> = {};
    for (const [name, value] of data) if (typeof value === "string" && !name.startsWith("$ACTION")) values[name] = value;
    return { ...result, values };
  }, initialState);
}

function entered(state: FormState, name: string, fallback?: string): string | undefined {
  return state.status === "error" ? (state.values?.[name] ?? fallback) : fallback;
}

export function WindowForm({ orderId }: { orderId: string }) {
  const [state, formAction] = useOrderForm(changeOrderWindowAction);
  const id = useId();
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Change the access window">
      <input type="hidden" name="orderId" value={orderId} />
      <div className="flex flex-wrap items-end gap-3">
        <Field id={`${id}-direction`} label="Change" errors={errorsOf(state, "direction")}>
          <select
            // A select takes a new default only when it mounts: after a refusal it shows what was chosen.
            key={entered(state, "direction", "extend")}
            {...fieldProps(`${id}-direction`, errorsOf(state, "direction"))}
            name="direction"
            defaultValue={entered(state, "direction", "extend")}
            className={inputClass}
          >
            <option value="extend">Extend by</option>
            <option value="shorten">Shorten by</option>
          </select>
        </Field>
        <Field id={`${id}-amount`} label="Amount" errors={errorsOf(state, "amount")}>
          <input
            {...fieldProps(`${id}-amount`, errorsOf(state, "amount"))}
            name="amount"
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            required
            defaultValue={entered(state, "amount", "1")}
            className={`${inputClass} w-24`}
          />
        </Field>
        <Field id={`${id}-unit`} label="Unit" errors={errorsOf(state, "unit")}>
          <select
            key={entered(state, "unit", "days")}
            {...fieldProps(`${id}-unit`, errorsOf(state, "unit"))}
            name="unit"
            defaultValue={entered(state, "unit", "days")}
            className={inputClass}
          >
            <option value="days">days</option>
            <option value="hours">hours</option>
          </select>
        </Field>
      </div>
      <ReasonField id={`${id}-reason`} state={state} />
      <div>
        <SubmitButton size="sm" pendingLabel="Saving…">
          Change the window
        </SubmitButton>
      </div>
      <Outcome state={state} />
    </form>
  );
}

export function CreditForm({ orderId }: { orderId: string }) {
  const [state, formAction] = useOrderForm(adjustOrderCreditAction);
  const id = useId();
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Adjust the credit">
      <input type="hidden" name="orderId" value={orderId} />
      <div className="flex flex-wrap items-end gap-3">
        <Field id={`${id}-direction`} label="Change" errors={errorsOf(state, "direction")}>
          <select
            // A select takes a new default only when it mounts: after a refusal it shows what was chosen.
            key={entered(state, "direction", "add")}
            {...fieldProps(`${id}-direction`, errorsOf(state, "direction"))}
            name="direction"
            defaultValue={entered(state, "direction", "add")}
            className={inputClass}
          >
            <option value="add">Add</option>
            <option value="remove">Remove</option>
          </select>
        </Field>
        <Field id={`${id}-amount`} label="Amount in USD" errors={errorsOf(state, "amountUsd")}>
          <input
            {...fieldProps(`${id}-amount`, errorsOf(state, "amountUsd"))}
            name="amountUsd"
            type="text"
            inputMode="decimal"
            required
            placeholder="10.00"
            defaultValue={entered(state, "amountUsd")}
            className={`${inputClass} w-32`}
          />
        </Field>
      </div>
      <ReasonField id={`${id}-reason`} state={state} />
      <div>
        <SubmitButton size="sm" pendingLabel="Saving…">
          Adjust the credit
        </SubmitButton>
      </div>
      <Outcome state={state} />
    </form>
  );
}

export function CancelForm({ orderId, marketplaceOrderId }: { orderId: string; marketplaceOrderId: string }) {
  const [state, formAction] = useOrderForm(cancelOrderAction);
  const id = useId();
  const confirmErrors = errorsOf(state, "confirm");
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Cancel the order">
      <input type="hidden" name="orderId" value={orderId} />
      <ReasonField id={`${id}-reason`} state={state} />
      <div className="flex flex-col gap-1">
        <label className="flex items-start gap-2 text-sm">
          <input {...fieldProps(`${id}-confirm`, confirmErrors)} name="confirm" type="checkbox" value="yes" required className="mt-0.5 size-4" />
          <span>Cancel order {marketplaceOrderId}: its key stops working at once and the remaining credit ends. This cannot be undone.</span>
        </label>
        {confirmErrors?.length ? (
          <p id={`${id}-confirm-error`} className="text-xs text-danger">
            {confirmErrors.join(" ")}
          </p>
        ) : null}
      </div>
      <div>
        <SubmitButton size="sm" variant="danger" pendingLabel="Cancelling…">
          Cancel the order
        </SubmitButton>
      </div>
      <Outcome state={state} />
    </form>
  );
}
