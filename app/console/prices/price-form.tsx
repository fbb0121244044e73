"use client";

import { Button } from "@/components/ui/button";
import { describedBy, fieldErrorsOf, FormField, FormStatus, inputClassName, TextField } from "@/components/ui/form-field";
import { useKeptFormAction } from "@/components/ui/use-kept-form-action";
import { createPriceAction, updatePriceAction, type PriceFormState } from "./actions";

export interface PriceFormValues {
  id?: string;
  model: string;
  provider: string;
  displayName: string;
  input: string;
  output: string;
  cacheRead: string;
  cacheWrite: string;
  contextWindow: string;
  source: string;
}

const initial: PriceFormState = { status: "idle" };

/** Adds a model's price (no id) or changes one. Dollars per million tokens; stored as micro-dollars. */
export function PriceForm({ values, saved }: { values: PriceFormValues; saved?: string }) {
  const editing = values.id !== undefined;
  const { state, formAction, onSubmit, pending, formRef } = useKeptFormAction<PriceFormState>(editing ? updatePriceAction : createPriceAction, initial);
  const errors = fieldErrorsOf(state);
  const shownState = state.status === "idle" && saved ? { status: "success", message: saved } : state;
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} noValidate className="mt-6 flex max-w-3xl flex-col gap-6">
      {editing ? <input type="hidden" name="id" value={values.id} /> : null}
      <FormStatus state={shownState} />
      <div className="grid gap-4 sm:grid-cols-2">
        {editing ? (
          <div className="flex flex-col gap-1">
            <span className="text-sm font-medium">Model</span>
            <span className="font-mono text-sm break-all">{values.model}</span>
            <span className="text-xs text-muted">Fixed: plans, channels and request logs name it.</span>
          </div>
        ) : (
          <TextField
            id="price-model"
            name="model"
            label="Model id"
            defaultValue={values.model}
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
            hint="Exactly what clients send as model, e.g. gpt-4.1-mini."
            errors={errors.model}
          />
        )}
        <FormField id="price-provider" label="Provider" errors={errors.provider} hint="Whose model it is.">
          <select
            id="price-provider"
            aria-invalid={errors.provider?.length ? true : undefined}
            aria-describedby={describedBy("price-provider", true)}
            name="provider"
            defaultValue={values.provider}
            className={inputClassName}
          >
            <option value="OPENAI">OpenAI</option>
            <option value="ANTHROPIC">Anthropic</option>
            <option value="GEMINI">Gemini</option>
          </select>
        </FormField>
        <TextField
          id="price-display-name"
          name="displayName"
          label="Display name (optional)"
          defaultValue={values.displayName}
          maxLength={120}
          errors={errors.displayName}
        />
        <TextField
          id="price-context"
          name="contextWindow"
          label="Context window (optional)"
          inputMode="numeric"
          defaultValue={values.contextWindow}
          hint="In tokens."
          errors={errors.contextWindow}
        />
      </div>
      <fieldset className="grid gap-4 rounded-lg border border-border p-4 sm:grid-cols-2">
        <legend className="px-1 text-sm font-medium">Price in USD per million tokens</legend>
        <TextField id="price-input" name="input" label="Input" inputMode="decimal" defaultValue={values.input} errors={errors.input} />
        <TextField id="price-output" name="output" label="Output" inputMode="decimal" defaultValue={values.output} errors={errors.output} />
        <TextField
          id="price-cache-read"
          name="cacheRead"
          label="Cache read (optional)"
          inputMode="decimal"
          defaultValue={values.cacheRead}
          hint="Empty: cached input is charged as input."
          errors={errors.cacheRead}
        />
        <TextField
          id="price-cache-write"
          name="cacheWrite"
          label="Cache write (optional)"
          inputMode="decimal"
          defaultValue={values.cacheWrite}
          hint="Empty: cache writes are charged as input."
          errors={errors.cacheWrite}
        />
      </fieldset>
      <TextField
        id="price-source"
        name="source"
        label="Source (optional)"
        defaultValue={values.source}
        maxLength={300}
        hint="Where the figure comes from, e.g. the provider's pricing page."
        errors={errors.source}
      />
      <p className="text-sm text-muted">New requests are charged at this price at once. Requests already made keep the cost they were charged.</p>
      <div>
        <Button type="submit" disabled={pending} aria-disabled={pending}>
          {pending ? "Saving…" : editing ? "Save price" : "Add price"}
        </Button>
      </div>
    </form>
  );
}
