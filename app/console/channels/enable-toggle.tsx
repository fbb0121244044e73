"use client";

import { useActionState } from "react";
import { SubmitButton } from "@/components/ui/submit-button";
import { setChannelEnabledAction, type ChannelFormState } from "./actions";

const initial: ChannelFormState = { status: "idle" };

/** Enable or disable a channel with one button. */
export function EnableToggle({ id, name, enabled }: { id: string; name: string; enabled: boolean }) {
  const [state, formAction] = useActionState<ChannelFormState, FormData>(setChannelEnabledAction, initial);
  return (
    <form action={formAction} className="flex flex-col gap-2">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="enabled" value={enabled ? "false" : "true"} />
      <div>
        <SubmitButton variant={enabled ? "danger" : "primary"} pendingLabel="Saving…" aria-label={`${enabled ? "Disable" : "Enable"} ${name}`}>
          {enabled ? "Disable channel" : "Enable channel"}
        </SubmitButton>
      </div>
      <p role="status" aria-live="polite" className={state.status === "error" ? "text-sm text-danger" : "text-sm text-muted empty:hidden"}>
        {state.status === "idle" ? "" : state.message}
      </p>
    </form>
  );
}
