import "server-only";
import { z } from "zod";
import type { Prisma } from "@/lib/db";
import type { PrismaTypes } from "@/lib/db/types";
import { beyond, decodeCursor, encodeCursor, listQuerySchema, toPage, type Page } from "@/lib/pagination";
import { safeText } from "@/lib/text/safe-text";
import { namedByRows } from "./named-by-rows";

// The console's request log: the gateway's RequestLog rows, filtered and paged by keyset. What is
// logged is metadata only (who, which model, status, tokens, cost, timings); no prompt or
// completion text is ever stored, so none can be shown.

/** "2026-12-05T08:30" (a datetime-local field, read as UTC) or a full ISO instant; anything else: no bound. */
const instantFilter = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/)
  .refine((s) => !Number.isNaN(new Date(/T.*(Z|[+-]\d{2}:\d{2})$/.test(s) ? s : `${s.includes("T") ? s : `${s}T00:00`}Z`).getTime()))
  .nullable()
  .catch(null);

/** Parses a time filter as the page states it: UTC unless the text carries its own offset. */
export function filterInstant(value: string | null): Date | null {
  if (!value) return null;
  const text = /T.*(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value.includes("T") ? value : `${value}T00:00`}Z`;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

const shortFilter = safeText({ trim: true }).max(200).nullable().catch(null);

/**
 * URL state of the request log, newest first. Filters: `email` (the account of a buyer with this
 * address), `key` (key id), `model`, `status` ("success", "error" or an HTTP status), `code` (error
 * code), `from` / `to` (UTC).
 */
export const requestListQuerySchema = listQuerySchema(["time"], { sort: "time", dir: "desc" }).extend({
  email: shortFilter,
  key: shortFilter,
  model: shortFilter,
  status: z
    .string()
    .trim()
    .regex(/^(success|error|[1-5]\d\d)$/)
    .nullable()
    .catch(null),
  code: shortFilter,
  from: instantFilter,
  to: instantFilter,
});
export type RequestListQuery = z.infer<typeof requestListQuerySchema>;

/** The filters of the request log, for forms (every name the URL may carry besides sort, dir and cursor). */
export const REQUEST_FILTERS = ["email", "key", "model", "status", "code", "from", "to"] as const;

export interface RequestSummary {
  id: string;
  requestId: string;
  createdAt: Date;
  endpoint: string;
  model: string | null;
  stream: boolean;
  status: number;
  errorCode: string | null;
  inputTokens: number;
  outputTokens: number;
  costMicros: bigint;
  latencyMs: number;
  apiKeyId: string | null;
  keyLastFour: string | null;
}

const cursorSchema = z.tuple([
  z.iso.datetime().transform((t) => new Date(t)),
  z
    .string()
    .regex(/^\d{1,19}$/)
    .transform((id) => BigInt(id)),
]);

/** The customers behind an email address (exact, case-insensitive as stored: addresses are kept in lower case). */
async function customersOf(db: Prisma, email: string): Promise<string[]> {
  const users = await db.user.findMany({ where: { email: email.toLowerCase() }, select: { customerId: true } });
  return users.flatMap((u) => (u.customerId ? [u.customerId] : []));
}

/** One page of the request log for the console. */
export async function listRequests(db: Prisma, input: { query: RequestListQuery; take?: number }): Promise<Page<RequestSummary>> {
  const { dir, email, key, model, status, code } = input.query;
  const take = input.take ?? 50;
  const from = filterInstant(input.query.from);
  const to = filterInstant(input.query.to);
  const position = decodeCursor(input.query.cursor, cursorSchema);
  const customerIds = email ? await customersOf(db, email) : null;
  if (customerIds && customerIds.length === 0) return { rows: [], nextCursor: null };

  const where: PrismaTypes.RequestLogWhereInput[] = [];
  if (customerIds) where.push({ customerId: customerIds.length === 1 ? customerIds[0] : { in: customerIds } });
  if (key) where.push({ apiKeyId: key });
  if (model) where.push({ model });
  if (status === "success") where.push({ status: { lt: 400 } });
  else if (status === "error") where.push({ status: { gte: 400 } });
  else if (status) where.push({ status: Number(status) });
  if (code) where.push({ errorCode: code });
  const createdAt: PrismaTypes.DateTimeFilter = {};
  if (from) createdAt.gte = from;
  if (to) createdAt.lt = to;
  if (position) {
    // The bound on createdAt alone lets the database walk its (…, createdAt) index from the
    // cursor instead of from the newest row; the OR then breaks ties by id.
    if (dir === "desc") createdAt.lte = position[0];
    else createdAt.gte = from && from > position[0] ? from : position[0];
    where.push({ OR: [{ createdAt: beyond(dir, position[0]) }, { createdAt: position[0], id: beyond(dir, position[1]) }] });
  }
  if (Object.keys(createdAt).length) where.push({ createdAt });

  const rows = await db.requestLog.findMany({
    where: { AND: where },
    orderBy: [{ createdAt: dir }, { id: dir }],
    take: take + 1,
    select: {
      id: true,
      requestId: true,
      createdAt: true,
      endpoint: true,
      model: true,
      stream: true,
      status: true,
      errorCode: true,
      inputTokens: true,
      outputTokens: true,
      costMicros: true,
      latencyMs: true,
      apiKeyId: true,
    },
  });
  const page = toPage(rows, take, (r) => encodeCursor([r.createdAt.toISOString(), r.id.toString()]));
  const keys = await namedByRows(
    page.rows.map((r) => r.apiKeyId),
    (ids) => db.apiKey.findMany({ where: { id: { in: ids } }, select: { id: true, lastFour: true } }),
  );
  return {
    nextCursor: page.nextCursor,
    rows: page.rows.map(({ id, ...r }) => ({ ...r, id: id.toString(), keyLastFour: keys(r.apiKeyId)?.lastFour ?? null })),
  };
}
