"use client";

import { useActionState, useId } from "react";
import { SubmitButton } from "@/components/ui/submit-button";
import { changeUserRoleAction, type RoleFormState } from "./actions";

const ROLES = [
  { value: "BUYER", label: "Buyer" },
  { value: "SUPPORT", label: "Support" },
  { value: "ADMIN", label: "Admin" },
] as const;

const initialState: RoleFormState = { status: "idle" };

/** One user's role control in the users table. */
export function RoleForm({ email, role }: { email: string; role: string }) {
  const [state, formAction] = useActionState<RoleFormState, FormData>(changeUserRoleAction, initialState);
  const id = useId();
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="email" value={email} />
      <label htmlFor={`${id}-role`} className="sr-only">
        Role of {email}
      </label>
      <select
        id={`${id}-role`}
        name="role"
        defaultValue={role}
        aria-describedby={`${id}-status`}
        className="h-8 rounded-md border border-border bg-background px-2 text-sm"
      >
        {ROLES.map((r) => (
          <option key={r.value} value={r.value}>
            {r.label}
          </option>
        ))}
      </select>
      <SubmitButton size="sm" variant="secondary" pendingLabel="Saving…" aria-label={`Save role of ${email}`}>
        Save
      </SubmitButton>
      <p
        id={`${id}-status`}
        role="status"
        aria-live="polite"
        className={state.status === "error" ? "w-full text-xs text-danger" : "w-full text-xs text-muted empty:hidden"}
      >
        {state.status === "idle" ? "" : state.message}
      </p>
    </form>
  );
}
