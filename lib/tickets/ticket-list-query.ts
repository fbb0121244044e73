import { z } from "zod";
import type { PrismaTypes } from "@/lib/db/types";
import { beyond, decodeCursor, encodeCursor, listQuerySchema, textFilterSchema } from "@/lib/pagination";
import { TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATUSES } from "./ticket-labels";

// Sorting and paging of ticket lists. Every sort is a timestamp with the id breaking ties:
// last activity, age (opened), and the first-response due time.

export const TICKET_SORT_KEYS = ["activity", "age", "due"] as const;
type TicketSortKey = (typeof TICKET_SORT_KEYS)[number];

const FIELDS = { activity: "lastActivityAt", age: "createdAt", due: "firstResponseDueAt" } as const satisfies Record<TicketSortKey, string>;

/** A buyer's list: latest activity first. */
export const buyerTicketQuerySchema = listQuerySchema(TICKET_SORT_KEYS, { sort: "activity", dir: "desc" });
export type BuyerTicketQuery = z.infer<typeof buyerTicketQuerySchema>;

/** Which statuses the queue shows: the ones needing work (default), all, or one. */
export const QUEUE_STATUS_FILTERS = ["active", "all", ...TICKET_STATUSES] as const;

/**
 * The agents' queue: by first-response due time (soonest first) unless sorted; filters by status,
 * priority, category and assignee ("me", "none" or a user id); `q` is a ticket number, an email,
 * a marketplace order id or a request id.
 */
export const ticketQueueQuerySchema = listQuerySchema(TICKET_SORT_KEYS, { sort: "due", dir: "asc" }).extend({
  q: textFilterSchema,
  status: z.enum(QUEUE_STATUS_FILTERS).catch("active"),
  priority: z.enum(["", ...TICKET_PRIORITIES]).catch(""),
  category: z.enum(["", ...TICKET_CATEGORIES]).catch(""),
  assignee: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9_-]*$/)
    .catch(""),
});
export type TicketQueueQuery = z.infer<typeof ticketQueueQuerySchema>;

const cursorSchema = z.tuple([z.iso.datetime().transform((t) => new Date(t)), z.string().max(100)]);

type Position = { id: string; lastActivityAt: Date; createdAt: Date; firstResponseDueAt: Date };

export function ticketCursor(row: Position, query: { sort: TicketSortKey }): string {
  return encodeCursor([row[FIELDS[query.sort]].toISOString(), row.id]);
}

export function ticketKeyset(query: { sort: TicketSortKey; dir: "asc" | "desc"; cursor: string | null }): {
  orderBy: PrismaTypes.TicketOrderByWithRelationInput[];
  after: PrismaTypes.TicketWhereInput;
} {
  const field = FIELDS[query.sort];
  const orderBy: PrismaTypes.TicketOrderByWithRelationInput[] = [{ [field]: query.dir }, { id: query.dir }];
  const position = decodeCursor(query.cursor, cursorSchema);
  if (!position) return { orderBy, after: {} };
  const [at, id] = position;
  return { orderBy, after: { OR: [{ [field]: beyond(query.dir, at) }, { [field]: at, id: beyond(query.dir, id) }] } };
}
