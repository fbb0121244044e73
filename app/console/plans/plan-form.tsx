"use client";

import { Button } from "@/components/ui/button";
import { CheckboxField, fieldErrorsOf, FormStatus, TextField } from "@/components/ui/form-field";
import { useKeptFormAction } from "@/components/ui/use-kept-form-action";
import { createPlanAction, updatePlanAction, type PlanFormState } from "./actions";

export interface PlanFormValues {
  id?: string;
  name: string;
  description: string;
  models: string[];
  /** "alias=model" pairs, comma-separated. */
  aliases: string;
  durationDays: string;
  rpm: string;
  tpm: string;
  credit: string;
  multiplier: string;
  maxKeysPerOrder: string;
  selfRotate: boolean;
  active: boolean;
}

export interface PricedModel {
  model: string;
  provider: string;
  displayName: string | null;
}

const PROVIDER_LABELS: Record<string, string> = { OPENAI: "OpenAI", ANTHROPIC: "Anthropic", GEMINI: "Gemini" };
const initial: PlanFormState = { status: "idle" };

/** Creates a plan (no id) or edits one. Money is typed in dollars; the server converts and checks everything again. */
export function PlanForm({ values, models, saved }: { values: PlanFormValues; models: PricedModel[]; saved?: string }) {
  const editing = values.id !== undefined;
  const { state, formAction, onSubmit, pending, formRef } = useKeptFormAction<PlanFormState>(editing ? updatePlanAction : createPlanAction, initial);
  const errors = fieldErrorsOf(state);
  const shownState = state.status === "idle" && saved ? { status: "success", message: saved } : state;
  // Models a plan already lists but that no longer have a price still show, so they can be removed.
  const known = new Set(models.map((m) => m.model));
  const all = [...models, ...values.models.filter((m) => !known.has(m)).map((model) => ({ model, provider: "UNPRICED", displayName: null }))];
  const groups = [...new Set(all.map((m) => m.provider))];
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} noValidate className="mt-6 flex max-w-3xl flex-col gap-6">
      {editing ? <input type="hidden" name="id" value={values.id} /> : null}
      <FormStatus state={shownState} />
      <div className="grid gap-4 sm:grid-cols-2">
        {editing ? (
          <div className="flex flex-col gap-1">
            <span className="text-sm font-medium">Name</span>
            <span className="text-sm">{values.name}</span>
            <span className="text-xs text-muted">Fixed: marketplace orders name their plan.</span>
          </div>
        ) : (
          <TextField
            id="plan-name"
            name="name"
            label="Name"
            defaultValue={values.name}
            required
            maxLength={80}
            hint="As the marketplace sends it in orders, e.g. Team 30."
            errors={errors.name}
          />
        )}
        <TextField
          id="plan-description"
          name="description"
          label="Description (optional)"
          defaultValue={values.description}
          maxLength={500}
          errors={errors.description}
        />
      </div>

      <fieldset className="flex flex-col gap-3 rounded-lg border border-border p-4" aria-describedby={errors.models ? "plan-models-error" : "plan-models-hint"}>
        <legend className="px-1 text-sm font-medium">Models</legend>
        <p id="plan-models-hint" className="text-xs text-muted">
          What keys on this plan may call. Only models with a price can be chosen.
        </p>
        {groups.map((provider) => (
          <div key={provider} className="flex flex-col gap-2">
            <p className="text-xs font-semibold tracking-wide text-muted uppercase">{PROVIDER_LABELS[provider] ?? "Without a price"}</p>
            <ul className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
              {all
                .filter((m) => m.provider === provider)
                .map((m) => (
                  <li key={m.model} className="flex min-w-0 items-center gap-2">
                    <input
                      type="checkbox"
                      id={`plan-model-${m.model}`}
                      name="models"
                      value={m.model}
                      defaultChecked={values.models.includes(m.model)}
                      className="size-4 shrink-0 accent-accent"
                    />
                    <label htmlFor={`plan-model-${m.model}`} className="min-w-0 font-mono text-sm break-all">
                      {m.model}
                    </label>
                  </li>
                ))}
            </ul>
          </div>
        ))}
        {errors.models ? (
          <p id="plan-models-error" className="text-sm text-danger">
            {errors.models.join(" ")}
          </p>
        ) : null}
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <TextField
          id="plan-days"
          name="durationDays"
          label="Duration (days)"
          inputMode="numeric"
          defaultValue={values.durationDays}
          hint="Access length of new orders."
          errors={errors.durationDays}
        />
        <TextField id="plan-rpm" name="rpm" label="Requests per minute" inputMode="numeric" defaultValue={values.rpm} hint="Per key." errors={errors.rpm} />
        <TextField
          id="plan-tpm"
          name="tpm"
          label="Tokens per minute (optional)"
          inputMode="numeric"
          defaultValue={values.tpm}
          hint="Per key; empty for no token limit."
          errors={errors.tpm}
        />
        <TextField
          id="plan-credit"
          name="credit"
          label="Included credit (USD)"
          inputMode="decimal"
          defaultValue={values.credit}
          hint="Granted to each order when it starts; 0 for no spend cap."
          errors={errors.credit}
        />
        <TextField
          id="plan-multiplier"
          name="multiplier"
          label="Price multiplier"
          inputMode="decimal"
          defaultValue={values.multiplier}
          hint="1.2 charges 20 % over the model prices."
          errors={errors.multiplier}
        />
        <TextField
          id="plan-aliases"
          name="aliases"
          label="Model aliases (optional)"
          defaultValue={values.aliases}
          maxLength={4000}
          hint="name=model, comma-separated, e.g. claude-opus-5-5=claude-opus-4-1: clients may send the name and are served and billed as the model (one of the plan's). Keys list them."
          errors={errors.aliases}
        />
        <TextField
          id="plan-max-keys"
          name="maxKeysPerOrder"
          label="Keys per order"
          inputMode="numeric"
          defaultValue={values.maxKeysPerOrder}
          errors={errors.maxKeysPerOrder}
        />
      </div>
      <div className="flex flex-col gap-3">
        <CheckboxField
          id="plan-self-rotate"
          name="selfRotate"
          label="Buyers may rotate their own keys"
          defaultChecked={values.selfRotate}
          errors={errors.selfRotate}
        />
        <CheckboxField
          id="plan-active"
          name="active"
          label="On sale"
          hint="Off: new orders for this plan are refused; existing orders keep working."
          defaultChecked={values.active}
          errors={errors.active}
        />
      </div>
      {editing ? (
        <p className="text-sm text-muted">
          Models, limits and the multiplier apply to every order on this plan from the next request. Duration and credit apply to orders created after the
          change. Requests already made keep the cost they were charged.
        </p>
      ) : null}
      <div>
        <Button type="submit" disabled={pending} aria-disabled={pending}>
          {pending ? "Saving…" : editing ? "Save plan" : "Create plan"}
        </Button>
      </div>
    </form>
  );
}
