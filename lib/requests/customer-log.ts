import "server-only";
import type { Prisma } from "@/lib/db";
import { toPage, type Page } from "@/lib/pagination";
import { requestLogCursor, requestLogKeyset, requestLogWhere, type RequestLogQuery } from "./customer-log-query";
import { namedByRows } from "./named-by-rows";

export interface RequestLogRow {
  id: bigint;
  requestId: string;
  createdAt: Date;
  endpoint: string;
  model: string | null;
  stream: boolean;
  status: number;
  errorCode: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costMicros: bigint;
  estimated: boolean;
  latencyMs: number;
  ttfbMs: number | null;
  keyLastFour: string | null;
  keyName: string | null;
  orderLabel: string | null;
}

/** The logged fields both the list and one request show. */
export const REQUEST_LOG_FIELDS = {
  requestId: true,
  createdAt: true,
  endpoint: true,
  model: true,
  stream: true,
  status: true,
  errorCode: true,
  inputTokens: true,
  outputTokens: true,
  cacheReadTokens: true,
  cacheWriteTokens: true,
  costMicros: true,
  estimated: true,
  latencyMs: true,
  ttfbMs: true,
} as const;

const SELECT = { id: true, ...REQUEST_LOG_FIELDS, apiKeyId: true, orderId: true } as const;

/** One page of the buyer's own request log. */
export async function listCustomerRequests(db: Prisma, input: { customerId: string; query: RequestLogQuery; take?: number }): Promise<Page<RequestLogRow>> {
  const take = input.take ?? 50;
  const { orderBy, after } = requestLogKeyset(input.query);
  const rows = await db.requestLog.findMany({
    where: { AND: [requestLogWhere(input.customerId, input.query), after] },
    orderBy,
    take: take + 1,
    select: SELECT,
  });
  const page = toPage(rows, take, requestLogCursor);
  // The rows are the account's own; the keys and orders they name are read as the account's too.
  const [keys, orders] = await Promise.all([
    namedByRows(
      page.rows.map((r) => r.apiKeyId),
      (ids) => db.apiKey.findMany({ where: { id: { in: ids }, order: { customerId: input.customerId } }, select: { id: true, lastFour: true, name: true } }),
    ),
    namedByRows(
      page.rows.map((r) => r.orderId),
      (ids) => db.order.findMany({ where: { id: { in: ids }, customerId: input.customerId }, select: { id: true, marketplaceOrderId: true } }),
    ),
  ]);
  return {
    nextCursor: page.nextCursor,
    rows: page.rows.map(({ apiKeyId, orderId, ...rest }) => {
      const key = keys(apiKeyId);
      return { ...rest, keyLastFour: key?.lastFour ?? null, keyName: key?.name ?? null, orderLabel: orders(orderId)?.marketplaceOrderId ?? null };
    }),
  };
}

/**
 * Every request matching `query`, a batch at a time by keyset, so an export of any size holds
 * one batch in memory. The account filter is part of every batch's query.
 */
export async function* eachCustomerRequest(db: Prisma, input: { customerId: string; query: RequestLogQuery; batch?: number }): AsyncGenerator<RequestLogRow> {
  const batch = input.batch ?? 2000;
  let cursor: string | null = null;
  for (;;) {
    const page = await listCustomerRequests(db, { customerId: input.customerId, query: { ...input.query, cursor }, take: batch });
    yield* page.rows;
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}

/** The buyer's keys, for the log's key filter. */
export async function listCustomerKeys(db: Prisma, customerId: string): Promise<{ id: string; label: string }[]> {
  const keys = await db.apiKey.findMany({
    where: { order: { customerId } },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, lastFour: true, status: true, order: { select: { marketplaceOrderId: true } } },
  });
  return keys.map((k) => ({ id: k.id, label: `…${k.lastFour} · ${k.order.marketplaceOrderId}${k.status === "ACTIVE" ? "" : ` (${k.status.toLowerCase()})`}` }));
}
