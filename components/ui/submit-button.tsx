"use client";

import { useFormStatus } from "react-dom";
import { Button, type ButtonProps } from "./button";

/**
 * A form's submit button that shows progress: disabled while the form is being sent (so a double
 * click sends once) and, when given, with `pendingLabel` as its text meanwhile.
 */
export function SubmitButton({
  children,
  pendingLabel,
  disabled,
  pending: pendingAction = false,
  ...props
}: Omit<ButtonProps, "type"> & {
  pendingLabel?: string;
  /** The action's own pending flag, for forms submitted through keepValuesOnSubmit. */ pending?: boolean;
}) {
  const pending = useFormStatus().pending || pendingAction;
  return (
    <Button type="submit" disabled={pending || disabled} aria-disabled={pending || disabled} {...props}>
      {pending && pendingLabel ? pendingLabel : children}
    </Button>
  );
}
