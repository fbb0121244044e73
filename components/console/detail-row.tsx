import type { ReactNode } from "react";

/** One term and its value in a console detail list (`<dl>`): side by side from `sm`, stacked on a phone. */
export function DetailRow({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 sm:grid-cols-[12rem_1fr] sm:gap-4">
      <dt className="text-sm text-muted">{term}</dt>
      <dd className="min-w-0 text-sm break-words">{children}</dd>
    </div>
  );
}

/** A URL path segment as text; a malformed escape (`%zz`) stands as it is, to be looked up and not found. */
export function pathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
