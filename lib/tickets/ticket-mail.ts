import type { Notification } from "@/lib/mail";
import { BUYER_STATUS_LABELS, CATEGORY_LABELS, formatTicketNumber, type TicketCategory, type TicketStatus } from "./ticket-labels";

// The words of ticket mail. Plain text only; never a key, a note or a sign-in link. A reply's text
// is quoted for the buyer (it was written for them); internal notes never produce mail.

interface TicketRef {
  number: number;
  subject: string;
}

const SIGN_OFF = "Gatehouse support";

function ticketLine(ticket: TicketRef): string {
  return `${formatTicketNumber(ticket.number)}: ${ticket.subject}`;
}

export function buyerTicketUrl(publicUrl: string, number: number): string {
  return `${publicUrl}/support/${number}`;
}

export function consoleTicketUrl(publicUrl: string, number: number): string {
  return `${publicUrl}/console/tickets/${number}`;
}

/** To each agent (or the desk address): a buyer opened a ticket. */
export function newTicketMail(
  publicUrl: string,
  recipients: readonly string[],
  ticket: TicketRef & { category: TicketCategory; buyerEmail: string; orderLabel: string | null; body: string },
): Notification[] {
  const text = [
    `${ticket.buyerEmail} opened ${ticketLine(ticket)}`,
    `Category: ${CATEGORY_LABELS[ticket.category]}${ticket.orderLabel ? ` · Order ${ticket.orderLabel}` : ""}`,
    "",
    ticket.body,
    "",
    `Answer it in the console: ${consoleTicketUrl(publicUrl, ticket.number)}`,
  ].join("\n");
  return recipients.map((to) => ({ to, subject: `[${formatTicketNumber(ticket.number)}] New ticket: ${ticket.subject}`, text }));
}

/** To the assigned agent: the buyer replied. */
export function buyerReplyMail(publicUrl: string, to: string, ticket: TicketRef & { buyerEmail: string; body: string }): Notification {
  return {
    to,
    subject: `[${formatTicketNumber(ticket.number)}] Reply from ${ticket.buyerEmail}: ${ticket.subject}`,
    text: [
      `${ticket.buyerEmail} replied to ${ticketLine(ticket)}:`,
      "",
      ticket.body,
      "",
      `Open it in the console: ${consoleTicketUrl(publicUrl, ticket.number)}`,
    ].join("\n"),
  };
}

/** To the buyer: support replied (and perhaps changed the status). */
export function agentReplyMail(publicUrl: string, to: string, ticket: TicketRef & { body: string; status: TicketStatus }): Notification {
  return {
    to,
    subject: `[${formatTicketNumber(ticket.number)}] Support replied: ${ticket.subject}`,
    text: [
      `Support replied to your ticket ${ticketLine(ticket)}:`,
      "",
      ticket.body,
      "",
      `Status: ${BUYER_STATUS_LABELS[ticket.status]}`,
      `Read the thread or reply: ${buyerTicketUrl(publicUrl, ticket.number)}`,
      "",
      SIGN_OFF,
    ].join("\n"),
  };
}

/** To the buyer: the ticket's status changed without a reply. */
export function statusChangeMail(publicUrl: string, to: string, ticket: TicketRef & { status: TicketStatus }): Notification {
  const what =
    ticket.status === "RESOLVED"
      ? "Support marked it resolved. If something is still wrong, reply within 7 days and it opens again; after that it closes."
      : ticket.status === "CLOSED"
        ? "It is now closed. If you need more help, open a new ticket."
        : ticket.status === "WAITING_ON_CUSTOMER"
          ? "Support is waiting for your reply."
          : "It is open again and with support.";
  return {
    to,
    subject: `[${formatTicketNumber(ticket.number)}] ${BUYER_STATUS_LABELS[ticket.status]}: ${ticket.subject}`,
    text: [`Your ticket ${ticketLine(ticket)} changed.`, what, "", `Open it: ${buyerTicketUrl(publicUrl, ticket.number)}`, "", SIGN_OFF].join("\n"),
  };
}
