import type { ComponentProps } from "react";
import { cn } from "./cn";

/** A bordered panel. Pass `aria-labelledby` with the title's id when a card is a region of its own. */
export function Card({ className, ...props }: ComponentProps<"div">) {
  return <div className={cn("rounded-lg border border-border bg-surface", className)} {...props} />;
}

export function CardHeader({ className, ...props }: ComponentProps<"div">) {
  return <div className={cn("flex flex-col gap-1 px-5 pt-5", className)} {...props} />;
}

type HeadingLevel = "h2" | "h3" | "h4";

/** The heading level is the caller's choice, because only the page knows its outline. */
export function CardTitle({ as: Heading = "h2", className, ...props }: ComponentProps<"h2"> & { as?: HeadingLevel }) {
  return <Heading className={cn("text-base font-semibold text-foreground", className)} {...props} />;
}

export function CardDescription({ className, ...props }: ComponentProps<"p">) {
  return <p className={cn("text-sm text-muted", className)} {...props} />;
}

export function CardContent({ className, ...props }: ComponentProps<"div">) {
  return <div className={cn("px-5 py-4", className)} {...props} />;
}

export function CardFooter({ className, ...props }: ComponentProps<"div">) {
  return <div className={cn("flex flex-wrap items-center gap-3 border-t border-border px-5 py-3", className)} {...props} />;
}
