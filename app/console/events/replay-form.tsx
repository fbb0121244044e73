"use client";

import { useActionState, useId } from "react";
import { SubmitButton } from "@/components/ui/submit-button";
import { replayEventAction, type ReplayState } from "./actions";

const initialState: ReplayState = { status: "idle" };

/** The Replay button of one failed event, with its outcome announced next to it. */
export function ReplayForm({ eventId, label }: { eventId: string; label: string }) {
  const [state, formAction] = useActionState<ReplayState, FormData>(replayEventAction, initialState);
  const id = useId();
  return (
    <form action={formAction} className="flex flex-col items-start gap-1">
      <input type="hidden" name="eventId" value={eventId} />
      {state.status === "success" ? null : (
        <SubmitButton size="sm" variant="secondary" pendingLabel="Replaying…" aria-label={`Replay ${label}`} aria-describedby={`${id}-status`}>
          Replay
        </SubmitButton>
      )}
      <p
        id={`${id}-status`}
        role="status"
        aria-live="polite"
        className={state.status === "error" ? "max-w-xs text-xs text-danger" : "max-w-xs text-xs text-success empty:hidden"}
      >
        {state.status === "idle" ? "" : state.message}
      </p>
    </form>
  );
}
