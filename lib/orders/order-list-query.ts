import { z } from "zod";
import type { PrismaTypes } from "@/lib/db/types";
import type { OrderStatus } from "@/lib/time/order-status";
import { beyond, decodeCursor, encodeCursor, listQuerySchema, textFilterSchema } from "@/lib/pagination";

// Sorting and paging of order lists (the buyer's dashboard, the console). Sort keys are an
// allow-list mapped to indexed or unique columns; the status is derived from the clock and cannot
// be sorted on in the database.

export const ORDER_STATUSES = ["PENDING", "ACTIVE", "EXPIRED", "CANCELLED", "REFUNDED"] as const satisfies readonly OrderStatus[];

export const ORDER_SORT_KEYS = ["created", "order", "starts", "ends"] as const;
export type OrderSortKey = (typeof ORDER_SORT_KEYS)[number];

/** URL state of an order list: newest first by default; `q` filters the console's list. */
export const orderListQuerySchema = listQuerySchema(ORDER_SORT_KEYS, { sort: "created", dir: "desc" }).extend({
  q: textFilterSchema,
  /** The status as readers see it (derived from the clock for PENDING / ACTIVE / EXPIRED); "" for any. */
  status: z.enum(ORDER_STATUSES).or(z.literal("")).catch(""),
});
export type OrderListQuery = z.infer<typeof orderListQuerySchema>;

type OrderPosition = { id: string; marketplaceOrderId: string; createdAt: Date; accessStart: Date; accessEnd: Date };

const cursorSchema = z.tuple([z.string().max(200), z.string().max(100)]);
const instant = z.iso.datetime().transform((text) => new Date(text));

function sortValue(row: OrderPosition, sort: OrderSortKey): Date | string {
  if (sort === "order") return row.marketplaceOrderId;
  return sort === "created" ? row.createdAt : sort === "starts" ? row.accessStart : row.accessEnd;
}

/** The cursor after `row` in `query`'s order. */
export function orderCursor(row: OrderPosition, query: Pick<OrderListQuery, "sort">): string {
  const value = sortValue(row, query.sort);
  return encodeCursor([value instanceof Date ? value.toISOString() : value, row.id]);
}

/** `orderBy` and the keyset condition for `query`; the id breaks ties so every row has one place. */
export function orderKeyset(query: Pick<OrderListQuery, "sort" | "dir" | "cursor">): {
  orderBy: PrismaTypes.OrderOrderByWithRelationInput[];
  after: PrismaTypes.OrderWhereInput;
} {
  const { sort, dir } = query;
  // Order ids are unique: no tie to break.
  if (sort === "order") {
    const position = decodeCursor(query.cursor, cursorSchema);
    return { orderBy: [{ marketplaceOrderId: dir }], after: position ? { marketplaceOrderId: beyond(dir, position[0]) } : {} };
  }
  const field = ({ created: "createdAt", starts: "accessStart", ends: "accessEnd" } as const)[sort];
  const position = decodeCursor(query.cursor, z.tuple([instant, z.string().max(100)]));
  const orderBy: PrismaTypes.OrderOrderByWithRelationInput[] = [{ [field]: dir }, { id: dir }];
  if (!position) return { orderBy, after: {} };
  const [at, id] = position;
  const after: PrismaTypes.OrderWhereInput =
    field === "createdAt"
      ? { OR: [{ createdAt: beyond(dir, at) }, { createdAt: at, id: beyond(dir, id) }] }
      : field === "accessStart"
        ? { OR: [{ accessStart: beyond(dir, at) }, { accessStart: at, id: beyond(dir, id) }] }
        : { OR: [{ accessEnd: beyond(dir, at) }, { accessEnd: at, id: beyond(dir, id) }] };
  return { orderBy, after };
}

/** The database condition for orders a reader at `now` sees with `status` (the same rule as orderStatus()). */
export function orderStatusWhere(status: OrderStatus | "", now: Date): PrismaTypes.OrderWhereInput {
  switch (status) {
    case "":
      return {};
    case "CANCELLED":
    case "REFUNDED":
      return { state: status };
    case "PENDING":
      return { state: "OPEN", accessStart: { gt: now } };
    case "ACTIVE":
      return { state: "OPEN", accessStart: { lte: now }, accessEnd: { gt: now } };
    case "EXPIRED":
      return { state: "OPEN", accessStart: { lte: now }, accessEnd: { lte: now } };
  }
}
