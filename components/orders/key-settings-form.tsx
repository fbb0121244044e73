"use client";

import { updateKeySettingsAction, type KeySettingsState } from "@/app/(portal)/orders/[id]/keys/[keyId]/actions";
import { describedBy, fieldErrorsOf, FormField, FormStatus, inputClassName, TextField } from "@/components/ui/form-field";
import { SubmitButton } from "@/components/ui/submit-button";
import { cn } from "@/components/ui/cn";
import { useKeptFormAction } from "@/components/ui/use-kept-form-action";

export interface KeySettingsValues {
  keyId: string;
  name: string;
  planModels: string[];
  modelScope: string[];
  /** Dollars as typed ("12.5"), or "" for no limit. */
  spendLimitUsd: string;
  spendLimitPeriod: "DAY" | "WEEK" | "MONTH";
  ipAllowlist: string[];
}

const initial: KeySettingsState = { status: "idle" };

/**
 * A key's settings as its owner sets them: name, models within the plan, a spend limit per UTC
 * day, week or month, and an IP allowlist. The server checks everything again; a refused field is
 * marked, described and focused (useKeptFormAction), and what was typed stays.
 */
export function KeySettingsForm({ values }: { values: KeySettingsValues }) {
  const { state, formAction, onSubmit, pending, formRef } = useKeptFormAction<KeySettingsState>(updateKeySettingsAction, initial);
  const errors = fieldErrorsOf(state);
  const modelsInvalid = Boolean(errors.models?.length);
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} noValidate className="flex flex-col gap-6">
      <input type="hidden" name="keyId" value={values.keyId} />
      <TextField
        id="key-name"
        name="name"
        label="Name"
        defaultValue={values.name}
        maxLength={80}
        autoComplete="off"
        hint="So you can tell your keys apart, e.g. Laptop or CI runner."
        errors={errors.name}
      />

      <fieldset className="flex min-w-0 flex-col gap-2" aria-describedby="key-models-hint key-models-error">
        <legend className="text-sm font-medium">Models</legend>
        <p id="key-models-hint" className="text-sm text-muted">
          Tick the models this key may use. None ticked: every model of your plan, including models the plan adds later.
        </p>
        <ul className="grid gap-2 sm:grid-cols-2">
          {values.planModels.map((model) => (
            <li key={model} className="flex min-w-0 items-center gap-2">
              <input
                type="checkbox"
                id={`key-model-${model}`}
                name="models"
                value={model}
                defaultChecked={values.modelScope.includes(model)}
                aria-invalid={modelsInvalid ? true : undefined}
                className="size-4 shrink-0 accent-accent"
              />
              <label htmlFor={`key-model-${model}`} className="min-w-0 font-mono text-sm break-all">
                {model}
              </label>
            </li>
          ))}
        </ul>
        <p id="key-models-error" className="text-sm text-danger empty:hidden">
          {errors.models?.join(" ")}
        </p>
      </fieldset>

      <fieldset className="flex min-w-0 flex-col gap-3">
        <legend className="mb-2 text-sm font-medium">Spend limit</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            id="key-spend-limit"
            name="spendLimitUsd"
            label="Amount (USD)"
            inputMode="decimal"
            autoComplete="off"
            defaultValue={values.spendLimitUsd}
            hint="Empty: no limit of the key's own."
            errors={errors.spendLimitUsd}
          />
          <FormField
            id="key-spend-period"
            label="Per"
            hint="Resets at 00:00 UTC every day, every Monday, or on the 1st of the month."
            errors={errors.spendLimitPeriod}
          >
            <select
              id="key-spend-period"
              name="spendLimitPeriod"
              defaultValue={values.spendLimitPeriod}
              aria-invalid={errors.spendLimitPeriod?.length ? true : undefined}
              aria-describedby={describedBy("key-spend-period", true)}
              className={inputClassName}
            >
              <option value="DAY">Day</option>
              <option value="WEEK">Week (Monday to Sunday)</option>
              <option value="MONTH">Calendar month</option>
            </select>
          </FormField>
        </div>
        <p className="text-sm text-muted">
          The limit resets exactly when the period ends, not a day or a month after your first request. A request that would take the key past it is refused
          with a 402 that says when it resets.
        </p>
      </fieldset>

      <FormField
        id="key-ips"
        label="IP allowlist"
        hint="One IPv4 or IPv6 address or CIDR range per line, e.g. 203.0.113.7 or 2001:db8::/32. Empty: any address."
        errors={errors.ipAllowlist}
      >
        <textarea
          id="key-ips"
          name="ipAllowlist"
          rows={4}
          spellCheck={false}
          autoComplete="off"
          defaultValue={values.ipAllowlist.join("\n")}
          aria-invalid={errors.ipAllowlist?.length ? true : undefined}
          aria-describedby={describedBy("key-ips", true)}
          className={cn(inputClassName, "h-auto py-2 font-mono")}
        />
      </FormField>

      <FormStatus state={state} />
      <div>
        <SubmitButton pending={pending} pendingLabel="Saving…">
          Save settings
        </SubmitButton>
      </div>
    </form>
  );
}
