import type { Notification } from "@/lib/mail";

// The buyer's notice of a reported leak. Plain text; never the key, only its last four.

export interface LeakNotice {
  scannerName: string;
  url: string | null;
  lastFour: string;
  orderLabel: string;
  orderId: string;
  /** What happened to the key: replaced now, its rotation overlap ended, or it was already not working. */
  outcome: "replaced" | "overlap_ended" | "not_in_use";
  newLastFour: string | null;
  ticket: { label: string; url: string } | null;
}

export function leakTicketSubject(notice: Pick<LeakNotice, "lastFour">): string {
  return `API key ending in ${notice.lastFour} found in public`;
}

/** The words of the ticket and the mail: where the key was found and what we did about it. */
export function leakDescription(publicUrl: string, notice: LeakNotice): string {
  const where = notice.url ? `at ${notice.url}` : "in a public place (no address was given)";
  const done =
    notice.outcome === "replaced"
      ? [
          "We replaced it at once: the old key is refused from now on.",
          `Reveal the new key (ending in ${notice.newLastFour}) on your order page: ${publicUrl}/orders/${notice.orderId}. It can be revealed once, so copy it into your client right away.`,
        ]
      : notice.outcome === "overlap_ended"
        ? [
            "It had already been replaced and was only working until its rotation overlap ended: we ended that at once, so it is refused from now on. Use its replacement.",
          ]
        : ["It was no longer working (replaced, disabled or deleted), so nothing had to change on the key itself."];
  return [
    `${notice.scannerName} secret scanning found your Gatehouse API key ending in ${notice.lastFour} (order ${notice.orderLabel}) ${where}.`,
    "",
    ...done,
    "",
    "Remove the key from where it was published (and from the history of that repository or page), and check your request log for use you do not recognise.",
  ].join("\n");
}

export function leakNoticeMail(publicUrl: string, to: string, notice: LeakNotice): Notification {
  return {
    to,
    subject:
      notice.outcome === "replaced"
        ? `Your API key ending in ${notice.lastFour} was found in public and has been replaced`
        : `Your API key ending in ${notice.lastFour} was found in public`,
    text: [
      leakDescription(publicUrl, notice),
      "",
      ...(notice.ticket ? [`Support opened ticket ${notice.ticket.label} about it; reply there with any question: ${notice.ticket.url}`, ""] : []),
      "Gatehouse support",
    ].join("\n"),
  };
}
