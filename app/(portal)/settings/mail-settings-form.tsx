"use client";

import { FormStatus } from "@/components/ui/form-field";
import { SubmitButton } from "@/components/ui/submit-button";
import { useKeptFormAction } from "@/components/ui/use-kept-form-action";
import type { NotificationSettings } from "@/lib/notifications/notification-settings";
import { saveMailSettingsAction, type MailSettingsState } from "./actions";

const initial: MailSettingsState = { status: "idle" };

const CHOICES: { name: keyof NotificationSettings; label: string; hint: string }[] = [
  {
    name: "accessReminders",
    label: "Access reminders",
    hint: "7 days, 1 day and 1 hour before an order's access ends, and when it has ended.",
  },
  { name: "creditAlerts", label: "Credit alerts", hint: "When an order has used 50 %, 80 % and all of its credit." },
  {
    name: "keyLimitAlerts",
    label: "Key spend-limit alerts",
    hint: "When a key with a spend limit has used 50 %, 80 % and all of it in the current period.",
  },
];

/** Mail settings: one switch per kind of mail. Works without JavaScript (a plain form post). */
export function MailSettingsForm({ settings }: { settings: NotificationSettings }) {
  const { state, formAction, onSubmit, pending, formRef } = useKeptFormAction<MailSettingsState>(saveMailSettingsAction, initial);
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="flex max-w-2xl flex-col gap-5">
      <fieldset className="flex flex-col gap-4">
        <legend className="mb-2 text-base font-semibold text-foreground">Mail me about</legend>
        {CHOICES.map((choice) => (
          <div key={choice.name} className="flex items-start gap-3">
            <input
              type="checkbox"
              id={choice.name}
              name={choice.name}
              defaultChecked={settings[choice.name]}
              aria-describedby={`${choice.name}-hint`}
              className="mt-1 size-5 shrink-0 accent-blue-700"
            />
            <div className="flex flex-col">
              <label htmlFor={choice.name} className="font-medium text-foreground">
                {choice.label}
              </label>
              <p id={`${choice.name}-hint`} className="text-sm text-muted">
                {choice.hint}
              </p>
            </div>
          </div>
        ))}
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pending={pending} pendingLabel="Saving…">
          Save mail settings
        </SubmitButton>
        <FormStatus state={state} />
      </div>
    </form>
  );
}
