// Names and numbers of tickets as people see them. No `server-only`: client forms use the labels.

export const TICKET_CATEGORIES = ["KEY_EXPOSED", "ERROR", "BILLING", "OTHER"] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export const TICKET_STATUSES = ["OPEN", "WAITING_ON_CUSTOMER", "RESOLVED", "CLOSED"] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_PRIORITIES = ["LOW", "NORMAL", "HIGH", "URGENT"] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const CATEGORY_LABELS: Record<TicketCategory, string> = {
  KEY_EXPOSED: "Key exposed or rotation",
  ERROR: "Error or outage",
  BILLING: "Billing",
  OTHER: "Other",
};

/** Status words for staff. */
export const STATUS_LABELS: Record<TicketStatus, string> = {
  OPEN: "Open",
  WAITING_ON_CUSTOMER: "Waiting on customer",
  RESOLVED: "Resolved",
  CLOSED: "Closed",
};

/** Status words for the buyer, who is the customer being waited on. */
export const BUYER_STATUS_LABELS: Record<TicketStatus, string> = {
  OPEN: "Open: with support",
  WAITING_ON_CUSTOMER: "Waiting for your reply",
  RESOLVED: "Resolved",
  CLOSED: "Closed",
};

export const PRIORITY_LABELS: Record<TicketPriority, string> = { LOW: "Low", NORMAL: "Normal", HIGH: "High", URGENT: "Urgent" };

/** A resolved ticket without a buyer reply closes itself after this long. */
export const RESOLVED_AUTO_CLOSE_MS = 7 * 24 * 60 * 60 * 1000;

/** `T-1042`. */
export function formatTicketNumber(number: number): string {
  return `T-${number}`;
}

/** The number in `T-1042`, `t1042` or `1042` (what an agent types), or null. */
export function parseTicketNumber(text: string): number | null {
  const match = /^\s*#?(?:t-?)?(\d{1,9})\s*$/i.exec(text);
  if (!match) return null;
  const n = Number(match[1]);
  return Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647 ? n : null;
}
