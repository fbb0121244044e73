"use client";

import { useActionState, useId, useState, type ReactNode } from "react";
import { SubmitButton } from "@/components/ui/submit-button";
import { deleteKeyAction, rotateKeyAction, setKeyEnabledAction, setKeyLimitsAction, type KeyActionState } from "./actions";

const idle: KeyActionState = { status: "idle" };

const input = "h-9 w-full rounded-md border border-border bg-background px-3 text-sm";
const labelClass = "text-sm font-medium";

/** The outcome of a form's last submit, announced politely; errors in the danger colour. */
function Outcome({ id, state }: { id: string; state: KeyActionState }) {
  return (
    <p id={id} role="status" aria-live="polite" className={state.status === "error" ? "text-sm text-danger" : "text-sm text-muted empty:hidden"}>
      {state.status === "idle" ? "" : state.message}
    </p>
  );
}

function FieldError({ state, name }: { state: KeyActionState; name: string }) {
  const messages = state.status === "error" ? state.fieldErrors?.[name] : undefined;
  return messages?.length ? <p className="text-xs text-danger">{messages.join(" ")}</p> : null;
}

function Field({ id, label, hint, children }: { id: string; label: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      {children}
      {hint ? <p className="text-xs text-muted">{hint}</p> : null}
    </div>
  );
}

// The reason and confirmation fields are controlled: React resets a form's uncontrolled fields after
// every submit, and an agent whose delete was refused (a mistyped last four) should not have to type
// the reason again.
function useText(): { value: string; onChange: (e: { target: { value: string } }) => void } {
  const [value, setValue] = useState("");
  return { value, onChange: (e) => setValue(e.target.value) };
}

// Each form stays mounted when its act no longer applies (a rotated key cannot be rotated again),
// shown as unavailable, so the outcome of the act that changed the key stays on screen.

/** Why the act is unavailable, in place of the form's fields. */
function Unavailable({ why }: { why?: string }) {
  return why ? <p className="text-sm text-muted">{why}</p> : null;
}

export function RotateKeyForm({ keyId, unavailable }: { keyId: string; unavailable?: string }) {
  const [state, action] = useActionState<KeyActionState, FormData>(rotateKeyAction, idle);
  const id = useId();
  const reason = useText();
  return (
    <form action={action} className="flex flex-col gap-3" aria-describedby={`${id}-out`}>
      <Outcome id={`${id}-out`} state={state} />
      <Unavailable why={unavailable} />
      <fieldset disabled={Boolean(unavailable)} hidden={Boolean(unavailable)} className="flex flex-col gap-3">
        <input type="hidden" name="keyId" value={keyId} />
        <Field id={`${id}-overlap`} label="Old key keeps working">
          <select id={`${id}-overlap`} name="overlap" defaultValue="none" className={input}>
            <option value="none">No overlap: refused at once</option>
            <option value="1h">1 hour</option>
            <option value="24h">24 hours</option>
          </select>
        </Field>
        <Field id={`${id}-reason`} label="Reason (optional)">
          <input id={`${id}-reason`} name="reason" maxLength={500} className={input} {...reason} />
        </Field>
        <div>
          <SubmitButton variant="secondary" pendingLabel="Rotating…">
            Rotate key
          </SubmitButton>
        </div>
      </fieldset>
    </form>
  );
}

export function KeyEnabledForm({ keyId, enabled, unavailable }: { keyId: string; enabled: boolean; unavailable?: string }) {
  const [state, action] = useActionState<KeyActionState, FormData>(setKeyEnabledAction, idle);
  const id = useId();
  const reason = useText();
  return (
    <form action={action} className="flex flex-col gap-3" aria-describedby={`${id}-out`}>
      <Outcome id={`${id}-out`} state={state} />
      <Unavailable why={unavailable} />
      <fieldset disabled={Boolean(unavailable)} hidden={Boolean(unavailable)} className="flex flex-col gap-3">
        <input type="hidden" name="keyId" value={keyId} />
        <input type="hidden" name="enabled" value={enabled ? "true" : "false"} />
        <Field id={`${id}-reason`} label={enabled ? "Reason (optional)" : "Reason"}>
          <input id={`${id}-reason`} name="reason" required={!enabled} maxLength={500} className={input} {...reason} />
        </Field>
        <FieldError state={state} name="reason" />
        <div>
          <SubmitButton variant={enabled ? "secondary" : "danger"} pendingLabel="Saving…">
            {enabled ? "Enable key" : "Disable key"}
          </SubmitButton>
        </div>
      </fieldset>
    </form>
  );
}

export function DeleteKeyForm({ keyId, lastFour, unavailable }: { keyId: string; lastFour: string; unavailable?: string }) {
  const [state, action] = useActionState<KeyActionState, FormData>(deleteKeyAction, idle);
  const id = useId();
  const confirm = useText();
  const reason = useText();
  return (
    <form action={action} className="flex flex-col gap-3" aria-describedby={`${id}-out`}>
      <Outcome id={`${id}-out`} state={state} />
      <Unavailable why={unavailable} />
      <fieldset disabled={Boolean(unavailable)} hidden={Boolean(unavailable)} className="flex flex-col gap-3">
        <input type="hidden" name="keyId" value={keyId} />
        <Field id={`${id}-confirm`} label={`Type ${lastFour} (the key's last four) to confirm`}>
          <input id={`${id}-confirm`} name="confirm" required autoComplete="off" maxLength={20} className={`${input} font-mono`} {...confirm} />
        </Field>
        <FieldError state={state} name="confirm" />
        <Field id={`${id}-reason`} label="Reason">
          <input id={`${id}-reason`} name="reason" required maxLength={500} className={input} {...reason} />
        </Field>
        <FieldError state={state} name="reason" />
        <div>
          <SubmitButton variant="danger" pendingLabel="Deleting…">
            Delete key
          </SubmitButton>
        </div>
      </fieldset>
    </form>
  );
}

export function KeyLimitsForm({
  keyId,
  planModels,
  modelScope,
  spendLimitUsd,
  spendLimitPeriod,
  ipAllowlist,
  rates,
  unavailable,
}: {
  unavailable?: string;
  keyId: string;
  planModels: string[];
  modelScope: string[];
  spendLimitUsd: string;
  spendLimitPeriod: "DAY" | "WEEK" | "MONTH";
  ipAllowlist: string[];
  /** Present for admins only: the rate overrides and the plan's values they override. */
  rates?: { rpm: number | null; tpm: number | null; planRpm: number; planTpm: number | null };
}) {
  const [state, action] = useActionState<KeyActionState, FormData>(setKeyLimitsAction, idle);
  const id = useId();
  return (
    <form action={action} className="flex flex-col gap-4" aria-describedby={`${id}-out`}>
      <Outcome id={`${id}-out`} state={state} />
      <Unavailable why={unavailable} />
      <fieldset disabled={Boolean(unavailable)} hidden={Boolean(unavailable)} className="flex flex-col gap-4">
        <input type="hidden" name="keyId" value={keyId} />
        <fieldset className="flex flex-col gap-1">
          <legend className={labelClass}>Model scope</legend>
          <p className="text-xs text-muted">None ticked: every model of the plan.</p>
          <div className="mt-1 grid grid-cols-1 gap-1 sm:grid-cols-2">
            {planModels.map((model) => (
              <label key={model} className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="models" value={model} defaultChecked={modelScope.includes(model)} />
                <span className="font-mono break-all">{model}</span>
              </label>
            ))}
          </div>
          <FieldError state={state} name="models" />
        </fieldset>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <Field id={`${id}-spend`} label="Spend limit (USD)" hint="Empty: no limit of its own (the order's balance still applies).">
            <input id={`${id}-spend`} name="spendLimitUsd" inputMode="decimal" defaultValue={spendLimitUsd} className={input} />
          </Field>
          <Field id={`${id}-period`} label="Per" hint="UTC; weeks start on Monday. Resets exactly at the period's end.">
            <select id={`${id}-period`} name="spendLimitPeriod" defaultValue={spendLimitPeriod} className={input}>
              <option value="DAY">Day</option>
              <option value="WEEK">Week</option>
              <option value="MONTH">Calendar month</option>
            </select>
          </Field>
        </div>
        <FieldError state={state} name="spendLimitUsd" />
        <FieldError state={state} name="spendLimitPeriod" />
        <Field id={`${id}-ips`} label="IP allowlist" hint="IPs or CIDR ranges, one per line or comma-separated. Empty: any address.">
          <textarea id={`${id}-ips`} name="ipAllowlist" rows={3} defaultValue={ipAllowlist.join("\n")} className={`${input} h-auto py-2 font-mono`} />
        </Field>
        <FieldError state={state} name="ipAllowlist" />
        {rates ? (
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <Field id={`${id}-rpm`} label="Requests per minute override" hint={`Empty: the plan's ${rates.planRpm}.`}>
              <input id={`${id}-rpm`} name="rpm" inputMode="numeric" defaultValue={rates.rpm ?? ""} className={input} />
            </Field>
            <Field id={`${id}-tpm`} label="Tokens per minute override" hint={`Empty: the plan's ${rates.planTpm ?? "none"}.`}>
              <input id={`${id}-tpm`} name="tpm" inputMode="numeric" defaultValue={rates.tpm ?? ""} className={input} />
            </Field>
            <FieldError state={state} name="rpm" />
            <FieldError state={state} name="tpm" />
          </div>
        ) : null}
        <Field id={`${id}-reason`} label="Reason (optional)">
          <input id={`${id}-reason`} name="reason" maxLength={500} className={input} />
        </Field>
        <div>
          <SubmitButton variant="secondary" pendingLabel="Saving…">
            Save limits
          </SubmitButton>
        </div>
      </fieldset>
    </form>
  );
}
