import "server-only";
import type { Prisma } from "@/lib/db";
import type { FailedAttempt } from "@/lib/gateway/usage-writer";
import { REQUEST_LOG_FIELDS } from "./customer-log";

/**
 * A request id as a buyer pastes it from an error or a header: surrounding whitespace (and quotes
 * a copy may bring along) removed. Null when nothing like an id is left.
 */
export function cleanRequestId(text: string | null | undefined): string | null {
  const id = (text ?? "")
    .trim()
    .replace(/^["'`]+|["'`]+$/g, "")
    .trim();
  if (!id || id.length > 100 || /[\s\u0000-\u001f]/.test(id)) return null;
  return id;
}

export interface RequestDetail {
  id: string;
  requestId: string;
  createdAt: Date;
  endpoint: string;
  protocol: string;
  model: string | null;
  /** The plan alias the client sent, when it sent one (`model` served it). */
  requestedModel: string | null;
  upstreamModel: string | null;
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
  clientIp: string | null;
  key: { id: string; name: string; lastFour: string; status: string } | null;
  order: { id: string; marketplaceOrderId: string } | null;
  customer: { id: string; name: string } | null;
  channel: { id: string; name: string; provider: string } | null;
  /** The channels that failed first, in order (empty when the first answered). */
  failover: FailedAttempt[];
  /** Ids the row names whose records are gone (a channel removed, say): shown as they were logged. */
  apiKeyId: string | null;
  channelId: string | null;
}

/** One logged request by its request id (exact match after trimming), for the console; null when unknown. */
export async function getRequestDetail(db: Prisma, rawRequestId: string): Promise<RequestDetail | null> {
  const requestId = cleanRequestId(rawRequestId);
  if (!requestId) return null;
  const row = await db.requestLog.findUnique({
    where: { requestId },
    select: {
      id: true,
      ...REQUEST_LOG_FIELDS,
      protocol: true,
      requestedModel: true,
      upstreamModel: true,
      clientIp: true,
      apiKeyId: true,
      channelId: true,
      orderId: true,
      failover: true,
    },
  });
  if (!row) return null;
  const { id, orderId, failover, ...rest } = row;
  const [apiKey, order, channel] = await Promise.all([
    row.apiKeyId ? db.apiKey.findUnique({ where: { id: row.apiKeyId }, select: { id: true, name: true, lastFour: true, status: true } }) : null,
    orderId
      ? db.order.findUnique({ where: { id: orderId }, select: { id: true, marketplaceOrderId: true, customer: { select: { id: true, name: true } } } })
      : null,
    row.channelId ? db.upstreamChannel.findUnique({ where: { id: row.channelId }, select: { id: true, name: true, provider: true } }) : null,
  ]);
  return {
    ...rest,
    failover: Array.isArray(failover) ? (failover as unknown as FailedAttempt[]) : [],
    id: id.toString(),
    key: apiKey,
    order: order ? { id: order.id, marketplaceOrderId: order.marketplaceOrderId } : null,
    customer: order?.customer ?? null,
    channel,
  };
}

/** Whether a request id is in the log (the console's lookup box), by the same exact match. */
export async function findRequestId(db: Prisma, rawRequestId: string): Promise<string | null> {
  const requestId = cleanRequestId(rawRequestId);
  if (!requestId) return null;
  const row = await db.requestLog.findUnique({ where: { requestId }, select: { requestId: true } });
  return row?.requestId ?? null;
}
