import "server-only";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { ERROR_TABLE } from "@/lib/errors";
import { consumeRateLimit, type RateLimitRule } from "@/lib/limits";
import { clientIpFromHeaders } from "@/lib/server/client-ip";
import { readLimitedBody } from "@/lib/server/read-limited-body";
import { receiveMarketplaceEvent, type WebhookAnswer } from "./receive-event";

/** The largest webhook body read: an order event is a few hundred bytes. */
export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;

/**
 * Deliveries per client IP per minute. A marketplace sends from a few addresses and, after an
 * outage on either side, retries its backlog in bursts: 600 a minute (10 a second) lets such a
 * storm through while a flood of forged deliveries from one address is cut off before its body
 * is read or its signature computed.
 */
export const MARKETPLACE_WEBHOOK_LIMIT = { name: "marketplace:webhook", points: 600, durationSeconds: 60 } as const satisfies RateLimitRule;

export interface WebhookHttpAnswer extends WebhookAnswer {
  headers?: Record<string, string>;
}

const utf8 = new TextDecoder();

/**
 * One HTTP delivery of the marketplace webhook, before `receiveMarketplaceEvent`: the rate limit
 * per client IP (429 with Retry-After), then the body read up to 64 KiB and no further (413).
 * Requests that did not pass through the custom server (no client IP) share one counter.
 */
export async function handleMarketplaceWebhook(
  db: Prisma,
  request: Request,
  options: { secret: string; keys: SecretKeys; now?: Date },
): Promise<WebhookHttpAnswer> {
  const ip = clientIpFromHeaders(request.headers) ?? "unknown";
  const limit = await consumeRateLimit(MARKETPLACE_WEBHOOK_LIMIT, ip);
  if (!limit.allowed) {
    const retryAfter = Math.max(1, Math.ceil(limit.retryAfterSeconds ?? MARKETPLACE_WEBHOOK_LIMIT.durationSeconds));
    await request.body?.cancel().catch(() => undefined);
    return {
      status: ERROR_TABLE.rate_limit_exceeded.status,
      body: {
        error: {
          code: "rate_limit_exceeded",
          message: `Too many marketplace deliveries from ${ip}: at most ${MARKETPLACE_WEBHOOK_LIMIT.points} a minute. Retry after ${retryAfter} seconds.`,
        },
      },
      headers: { "retry-after": String(retryAfter) },
    };
  }
  const bytes = await readLimitedBody(request, MAX_WEBHOOK_BODY_BYTES);
  if (bytes === "too_large")
    return { status: ERROR_TABLE.request_too_large.status, body: { error: { code: "request_too_large", message: "The body is larger than 64 KiB." } } };
  return receiveMarketplaceEvent(db, {
    rawBody: utf8.decode(bytes),
    signature: request.headers.get("x-marketplace-signature"),
    secret: options.secret,
    keys: options.keys,
    now: options.now,
  });
}
