import type { ComponentProps } from "react";
import { cn } from "./cn";

export type BadgeTone = "success" | "warning" | "danger" | "neutral" | "info";

const tones: Record<BadgeTone, string> = {
  success: "border-success/30 bg-success/10 text-success",
  warning: "border-warning/30 bg-warning/10 text-warning",
  danger: "border-danger/30 bg-danger/10 text-danger",
  neutral: "border-border bg-surface text-muted",
  info: "border-info/30 bg-info/10 text-info",
};

export type BadgeProps = ComponentProps<"span"> & { tone?: BadgeTone };

/**
 * A short status label. Colour is never the only signal: the text itself must name the status
 * (Active, Expired, Disabled), since the tones are indistinguishable to some readers.
 */
export function Badge({ tone = "neutral", className, ...props }: BadgeProps) {
  return (
    <span
      className={cn("inline-flex items-center rounded-full border px-2.5 py-0.5 text-xs font-medium whitespace-nowrap", tones[tone], className)}
      {...props}
    />
  );
}
