"use client";

import { Button } from "@/components/ui/button";
import { CheckboxField, describedBy, fieldErrorsOf, FormField, FormStatus, inputClassName, TextField } from "@/components/ui/form-field";
import { cn } from "@/components/ui/cn";
import { useKeptFormAction } from "@/components/ui/use-kept-form-action";
import { createChannelAction, updateChannelAction, type ChannelFormState } from "./actions";

export interface ChannelFormValues {
  id?: string;
  name: string;
  provider: string;
  baseUrl: string;
  models: string;
  modelMap: string;
  priority: string;
  weight: string;
  enabled: boolean;
  /** "…abcd" of the stored key, when editing. The key itself never reaches the browser. */
  keyHint?: string;
}

const initial: ChannelFormState = { status: "idle" };

/** Adds a channel (no id) or edits one. The upstream key is write-only: blank on edit keeps it. */
export function ChannelForm({ values, saved, defaultBaseUrls }: { values: ChannelFormValues; saved?: string; defaultBaseUrls: Record<string, string> }) {
  const editing = values.id !== undefined;
  const { state, formAction, onSubmit, pending, formRef } = useKeptFormAction<ChannelFormState>(editing ? updateChannelAction : createChannelAction, initial);
  const errors = fieldErrorsOf(state);
  const shownState = state.status === "idle" && saved ? { status: "success", message: saved } : state;
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} noValidate className="flex max-w-3xl flex-col gap-6">
      {editing ? <input type="hidden" name="id" value={values.id} /> : null}
      <FormStatus state={shownState} />
      <div className="grid gap-4 sm:grid-cols-2">
        {editing ? (
          <div className="flex flex-col gap-1">
            <span className="text-sm font-medium">Name</span>
            <span className="text-sm break-words">{values.name}</span>
            <span className="text-xs text-muted">Fixed: the CLI names channels by it.</span>
          </div>
        ) : (
          <TextField id="channel-name" name="name" label="Name" defaultValue={values.name} maxLength={80} autoComplete="off" errors={errors.name} />
        )}
        <FormField id="channel-provider" label="Provider" hint="The protocol the upstream speaks." errors={errors.provider}>
          <select
            id="channel-provider"
            aria-invalid={errors.provider?.length ? true : undefined}
            aria-describedby={describedBy("channel-provider", true)}
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
          id="channel-base-url"
          name="baseUrl"
          label="Base URL"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          defaultValue={values.baseUrl}
          className="sm:col-span-2"
          hint={`OpenAI's includes /v1 (${defaultBaseUrls.OPENAI}); Anthropic: ${defaultBaseUrls.ANTHROPIC}; Gemini: ${defaultBaseUrls.GEMINI}.`}
          errors={errors.baseUrl}
        />
        <TextField
          id="channel-api-key"
          name="apiKey"
          label={editing ? "Replace the upstream API key (optional)" : "Upstream API key"}
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          defaultValue=""
          className="sm:col-span-2"
          hint={
            editing
              ? `Stored encrypted; the current key ${values.keyHint?.startsWith("…") ? `ends in ${values.keyHint}` : `is ${values.keyHint}`}. Leave empty to keep it. It is never shown.`
              : "Stored encrypted and never shown again; the console shows its last four characters."
          }
          errors={errors.apiKey}
        />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField id="channel-models" label="Models" hint="Our model ids, one per line or comma-separated. Each needs a price." errors={errors.models}>
          <textarea
            id="channel-models"
            aria-invalid={errors.models?.length ? true : undefined}
            aria-describedby={describedBy("channel-models", true)}
            name="models"
            rows={5}
            spellCheck={false}
            defaultValue={values.models}
            className={cn(inputClassName, "h-auto py-2 font-mono")}
          />
        </FormField>
        <FormField
          id="channel-model-map"
          label="Model name mapping (optional)"
          hint="ours=theirs, one per line, when the upstream names a model differently."
          errors={errors.modelMap}
        >
          <textarea
            id="channel-model-map"
            aria-invalid={errors.modelMap?.length ? true : undefined}
            aria-describedby={describedBy("channel-model-map", true)}
            name="modelMap"
            rows={5}
            spellCheck={false}
            defaultValue={values.modelMap}
            className={cn(inputClassName, "h-auto py-2 font-mono")}
          />
        </FormField>
        <TextField
          id="channel-priority"
          name="priority"
          label="Priority"
          inputMode="numeric"
          defaultValue={values.priority}
          hint="Higher is tried first; lower ones take over when it fails."
          errors={errors.priority}
        />
        <TextField
          id="channel-weight"
          name="weight"
          label="Weight"
          inputMode="numeric"
          defaultValue={values.weight}
          hint="Share of traffic among channels of equal priority: weights 3 and 1 split 75 / 25."
          errors={errors.weight}
        />
      </div>
      <CheckboxField
        id="channel-enabled"
        name="enabled"
        label="Enabled"
        hint="A disabled channel gets no traffic."
        defaultChecked={values.enabled}
        errors={errors.enabled}
      />
      <div>
        <Button type="submit" disabled={pending} aria-disabled={pending}>
          {pending ? "Saving…" : editing ? "Save channel" : "Add channel"}
        </Button>
      </div>
    </form>
  );
}
