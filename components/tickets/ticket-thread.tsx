import { LocalTime } from "@/components/local-time";
import { cn } from "@/components/ui/cn";
import { PlainText } from "@/components/ui/plain-text";
import type { ThreadMessage } from "@/lib/tickets";

/**
 * A ticket's messages, oldest first. Staff replies and the buyer's messages sit on different
 * sides; internal notes (staff only ever receive them) are marked in words and by a dashed,
 * amber frame, so nobody mistakes one for a reply.
 */
export function TicketThread({ messages }: { messages: ThreadMessage[] }) {
  return (
    <ol className="flex flex-col gap-4" aria-label="Messages">
      {messages.map((m) => (
        <li
          key={m.id}
          data-testid={m.internal ? "internal-note" : "ticket-message"}
          className={cn(
            "rounded-lg border p-4",
            m.internal
              ? "border-dashed border-warning bg-warning/10"
              : m.author.fromStaff
                ? "border-info/30 bg-info/5 sm:mr-10"
                : "border-border bg-background sm:ml-10",
          )}
        >
          <p className="mb-2 flex flex-wrap items-baseline gap-x-2 text-sm">
            <span className="font-medium">{m.author.label}</span>
            {m.internal ? <span className="font-semibold text-warning uppercase">Internal note — not shown to the buyer</span> : null}
            <span className="text-muted">
              <LocalTime value={m.createdAt} />
            </span>
          </p>
          <PlainText text={m.body} className="text-sm" />
        </li>
      ))}
    </ol>
  );
}
