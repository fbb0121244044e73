"use client";

import { useActionState, useId } from "react";
import { SubmitButton } from "@/components/ui/submit-button";
import { inputClassName } from "@/components/ui/form-field";
import { testChannelAction, type ChannelTestState } from "./actions";

const initial: ChannelTestState = { status: "idle" };

/** The Test button: a one-token request to the channel, with its status, latency and the upstream's error. */
export function ChannelTest({ id, models }: { id: string; models: string[] }) {
  const [state, formAction] = useActionState<ChannelTestState, FormData>(testChannelAction, initial);
  const fieldId = useId();
  const result = state.status === "tested" ? state.result : null;
  return (
    <form action={formAction} className="flex flex-col gap-3">
      <input type="hidden" name="id" value={id} />
      <div className="flex flex-wrap items-end gap-2">
        <div className="flex min-w-0 flex-col gap-1">
          <label htmlFor={fieldId} className="text-sm font-medium">
            Model to test
          </label>
          <select id={fieldId} name="model" defaultValue={models[0]} className={`${inputClassName} w-64 max-w-full font-mono`}>
            {models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <SubmitButton variant="secondary" pendingLabel="Testing…">
          Test
        </SubmitButton>
      </div>
      <div role="status" aria-live="polite" className="empty:hidden">
        {state.status === "idle" ? null : (
          <div
            className={
              result?.ok
                ? "rounded-md border border-success/40 bg-success/10 p-3 text-sm"
                : "rounded-md border border-danger/40 bg-danger/10 p-3 text-sm break-words"
            }
          >
            <p className="font-medium">{state.status === "tested" ? (result?.ok ? "OK" : "Failed") : "Could not test"}</p>
            {result ? (
              <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
                <dt className="text-muted">Status</dt>
                <dd>{result.status ?? "no answer"}</dd>
                <dt className="text-muted">Latency</dt>
                <dd>{result.latencyMs} ms</dd>
                <dt className="text-muted">Model</dt>
                <dd className="font-mono break-all">
                  {result.model}
                  {result.upstreamModel && result.upstreamModel !== result.model ? ` (upstream: ${result.upstreamModel})` : ""}
                </dd>
                {result.error ? (
                  <>
                    <dt className="text-muted">Error</dt>
                    <dd>{result.error}</dd>
                  </>
                ) : null}
              </dl>
            ) : (
              <p>{state.message}</p>
            )}
          </div>
        )}
      </div>
    </form>
  );
}
