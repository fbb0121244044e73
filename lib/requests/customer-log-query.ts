import { z } from "zod";
import type { PrismaTypes } from "@/lib/db/types";
import { beyond, decodeCursor, encodeCursor, listQuerySchema, textFilterSchema } from "@/lib/pagination";

// The buyer's request log in the URL: newest first (or oldest), filters by key, model, outcome,
// error code and UTC date range. Shared by the page and the CSV export, so both show the same rows.

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
  .catch("");

export const requestLogQuerySchema = listQuerySchema(["time"], { sort: "time", dir: "desc" }).extend({
  key: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9_-]*$/)
    .catch(""),
  order: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9_-]*$/)
    .catch(""),
  model: textFilterSchema,
  /** "ok" (2xx), "error" (anything else) or empty. */
  outcome: z.enum(["", "ok", "error"]).catch(""),
  code: z
    .string()
    .max(60)
    .regex(/^[a-z0-9_]*$/)
    .catch(""),
  /** UTC days, inclusive. */
  from: day,
  to: day,
});
export type RequestLogQuery = z.infer<typeof requestLogQuerySchema>;

const cursorSchema = z.tuple([z.iso.datetime().transform((t) => new Date(t)), z.string().regex(/^\d{1,20}$/)]);

/** The filter of `query` for `customerId`'s requests (the account is always part of it). */
export function requestLogWhere(customerId: string, query: RequestLogQuery): PrismaTypes.RequestLogWhereInput {
  const where: PrismaTypes.RequestLogWhereInput[] = [{ customerId }];
  if (query.key) where.push({ apiKeyId: query.key });
  if (query.order) where.push({ orderId: query.order });
  if (query.model) where.push({ model: { contains: query.model, mode: "insensitive" } });
  if (query.outcome === "ok") where.push({ status: { lt: 400 } });
  if (query.outcome === "error") where.push({ status: { gte: 400 } });
  if (query.code) where.push({ errorCode: query.code });
  if (query.from) where.push({ createdAt: { gte: new Date(`${query.from}T00:00:00Z`) } });
  if (query.to) where.push({ createdAt: { lt: new Date(Date.parse(`${query.to}T00:00:00Z`) + 86_400_000) } });
  return { AND: where };
}

export function requestLogKeyset(query: Pick<RequestLogQuery, "dir" | "cursor">): {
  orderBy: PrismaTypes.RequestLogOrderByWithRelationInput[];
  after: PrismaTypes.RequestLogWhereInput;
} {
  const orderBy: PrismaTypes.RequestLogOrderByWithRelationInput[] = [{ createdAt: query.dir }, { id: query.dir }];
  const position = decodeCursor(query.cursor, cursorSchema);
  if (!position) return { orderBy, after: {} };
  const [at, id] = position;
  return { orderBy, after: { OR: [{ createdAt: beyond(query.dir, at) }, { createdAt: at, id: beyond(query.dir, BigInt(id)) }] } };
}

export function requestLogCursor(row: { createdAt: Date; id: bigint }): string {
  return encodeCursor([row.createdAt.toISOString(), row.id.toString()]);
}
