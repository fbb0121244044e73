import "server-only";
import type { PrismaTypes } from "@/lib/db/types";
import { recordAudit, type Actor } from "@/lib/audit";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { ERROR_TABLE, type ErrorCode } from "@/lib/errors";
import { unstorableJsonText } from "@/lib/text/safe-text";
import { applyMarketplaceEvent, UnappliableEventError, type AppliedEvent } from "./apply-event";
import { eventKeyOf, marketplaceEventSchema, type MarketplaceEvent } from "./event-schema";
import { verifyMarketplaceSignature } from "./signature";
import { z } from "zod";
import { beyond, decodeCursor, encodeCursor, listQuerySchema, toPage, type Page } from "@/lib/pagination";

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
  /** Set when this call created an order: the caller mails the buyer a sign-in link. */
  created?: Extract<AppliedEvent, { kind: "order_created" }>;
}

const MAX_BODY_BYTES = 64 * 1024;

const IN_PROGRESS = "Being applied. If this stays, the server stopped while applying it: replay it.";

/** A refusal: its status from the one error table, its message the table's or a more precise one. */
function error(code: ErrorCode, message: string = ERROR_TABLE[code].meaning): WebhookAnswer {
  return { status: ERROR_TABLE[code].status, body: { error: { code, message } } };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}

function toPayload(raw: unknown): PrismaTypes.InputJsonValue {
  return raw as PrismaTypes.InputJsonValue;
}

/**
 * Handles one delivery of the marketplace webhook. Forged, stale or malformed requests are
 * answered 401/400 and store nothing. Every authentic event is stored under "<event>:<order_id>":
 * a replay of an applied one is answered "duplicate"; one that cannot be applied is kept as
 * FAILED with its reason (422) for an admin to replay once fixed; a redelivery of a FAILED one
 * is tried again.
 */
export async function receiveMarketplaceEvent(
  db: Prisma,
  input: { rawBody: string; signature: string | null; secret: string; keys: SecretKeys; now?: Date },
): Promise<WebhookAnswer> {
  const now = input.now ?? new Date();
  if (Buffer.byteLength(input.rawBody, "utf8") > MAX_BODY_BYTES) return error("request_too_large", "The body is larger than 64 KiB.");
  const check = verifyMarketplaceSignature(input.signature, input.rawBody, input.secret, now.getTime());
  if (!check.ok) return error(check.problem);

  let raw: unknown;
  try {
    raw = JSON.parse(input.rawBody);
  } catch {
    return error("malformed_body", "The body is not JSON.");
  }
  // The payload is kept whole (jsonb), unknown fields included: text PostgreSQL cannot store
  // anywhere in it is refused here rather than failing the insert.
  const unstorable = unstorableJsonText(raw);
  if (unstorable) return error("malformed_body", `The event is not valid: ${unstorable.path} ${unstorable.problem}.`);
  const parsed = marketplaceEventSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "body"}: ${i.message}`).join("; ");
    return error("malformed_body", `The event is not valid: ${detail}`);
  }
  const event = parsed.data;
  const eventKey = eventKeyOf(event);

  // Claim the event key first, so two deliveries of one event cannot both apply it.
  let claimedId: string;
  try {
    claimedId = (
      await db.webhookEvent.create({
        data: { eventKey, eventType: event.event, orderRef: event.order_id, payload: toPayload(raw), status: "FAILED", reason: IN_PROGRESS, receivedAt: now },
        select: { id: true },
      })
    ).id;
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const existing = await db.webhookEvent.findUniqueOrThrow({ where: { eventKey }, select: { id: true, status: true, attempts: true, reason: true } });
    if (existing.status === "APPLIED") return { status: 200, body: { status: "duplicate", event_id: existing.id } };
    if (existing.reason === IN_PROGRESS) return error("event_in_progress", "This event is being applied; try again shortly.");
    const retried = await db.webhookEvent.updateMany({
      where: { id: existing.id, status: "FAILED", attempts: existing.attempts },
      data: { attempts: { increment: 1 }, payload: toPayload(raw), reason: IN_PROGRESS },
    });
    if (retried.count === 0) return error("event_in_progress", "This event is being applied; try again shortly.");
    claimedId = existing.id;
  }
  return applyStoredEvent(db, claimedId, event, { keys: input.keys, now });
}

/** Applies `event` (stored as `eventId`) and records the outcome on the stored row. */
async function applyStoredEvent(
  db: Prisma,
  eventId: string,
  event: MarketplaceEvent,
  options: { keys: SecretKeys; actor?: Actor; now: Date },
): Promise<WebhookAnswer> {
  try {
    const applied = await applyMarketplaceEvent(db, event, options);
    await db.webhookEvent.update({ where: { id: eventId }, data: { status: "APPLIED", reason: null, appliedAt: new Date() } });
    return {
      status: 200,
      body: { status: "applied", event_id: eventId, order_id: applied.marketplaceOrderId },
      created: applied.kind === "order_created" ? applied : undefined,
    };
  } catch (err) {
    const reason = err instanceof UnappliableEventError ? err.message : `Internal error while applying: ${err instanceof Error ? err.message : String(err)}`;
    await db.webhookEvent.update({ where: { id: eventId }, data: { status: "FAILED", reason } });
    if (err instanceof UnappliableEventError)
      return {
        status: ERROR_TABLE.event_not_applied.status,
        body: { status: "failed", event_id: eventId, error: { code: "event_not_applied", message: reason } },
      };
    throw err;
  }
}

export interface FailedWebhookEvent {
  id: string;
  eventKey: string;
  eventType: string;
  orderRef: string;
  reason: string | null;
  attempts: number;
  receivedAt: Date;
}

/** Stored events that could not be applied, oldest first. */
export async function listFailedWebhookEvents(db: Prisma): Promise<FailedWebhookEvent[]> {
  return db.webhookEvent.findMany({
    where: { status: "FAILED" },
    orderBy: { receivedAt: "asc" },
    select: { id: true, eventKey: true, eventType: true, orderRef: true, reason: true, attempts: true, receivedAt: true },
  });
}

export class WebhookReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookReplayError";
  }
}

/**
 * Applies a stored FAILED event again (after an admin fixed what it needed, e.g. added the plan).
 * Answers like a delivery: 200 applied, 422 still failing.
 */
export async function replayWebhookEvent(db: Prisma, eventId: string, options: { keys: SecretKeys; actor?: Actor; now?: Date }): Promise<WebhookAnswer> {
  const stored = await db.webhookEvent.findUnique({
    where: { id: eventId },
    select: { id: true, status: true, attempts: true, payload: true, eventKey: true, eventType: true, orderRef: true },
  });
  if (!stored) throw new WebhookReplayError(`No stored marketplace event with the id ${eventId}.`);
  if (stored.status === "APPLIED") throw new WebhookReplayError(`Event ${eventId} was already applied.`);
  const parsed = marketplaceEventSchema.safeParse(stored.payload);
  if (!parsed.success) throw new WebhookReplayError(`Event ${eventId} has a payload that is no longer valid.`);
  const claimed = await db.webhookEvent.updateMany({
    where: { id: stored.id, status: "FAILED", attempts: stored.attempts },
    data: { attempts: { increment: 1 }, reason: IN_PROGRESS },
  });
  if (claimed.count === 0) throw new WebhookReplayError(`Event ${eventId} is being applied by another request.`);
  const actor = options.actor ?? { label: "cli" };
  let answer: WebhookAnswer | undefined;
  try {
    answer = await applyStoredEvent(db, stored.id, parsed.data, { keys: options.keys, actor, now: options.now ?? new Date() });
    return answer;
  } finally {
    // Who replayed what, and how it went, whatever the outcome (an internal error included).
    const error = answer?.body.error as { message?: string } | undefined;
    await recordAudit(db, {
      actor,
      action: "webhook_event.replayed",
      targetType: "webhook_event",
      targetId: stored.id,
      details: {
        eventKey: stored.eventKey,
        eventType: stored.eventType,
        orderRef: stored.orderRef,
        outcome: answer?.status === 200 ? "applied" : "failed",
        ...(answer?.status === 200 ? {} : { reason: error?.message ?? "internal error" }),
      },
    });
  }
}

/** URL state of the failed-events list: oldest first (the longest waiting) unless turned around. */
export const failedEventListQuerySchema = listQuerySchema(["received"], { sort: "received", dir: "asc" });
export type FailedEventListQuery = z.infer<typeof failedEventListQuerySchema>;

const receivedCursor = z.tuple([z.iso.datetime().transform((t) => new Date(t)), z.string().max(100)]);

/** One page of the stored events that could not be applied, for the console. */
export async function listFailedWebhookEventsPage(db: Prisma, input: { query: FailedEventListQuery; take?: number }): Promise<Page<FailedWebhookEvent>> {
  const take = input.take ?? 50;
  const { dir } = input.query;
  const position = decodeCursor(input.query.cursor, receivedCursor);
  const rows = await db.webhookEvent.findMany({
    where: {
      AND: [
        { status: "FAILED" },
        position ? { OR: [{ receivedAt: beyond(dir, position[0]) }, { receivedAt: position[0], id: beyond(dir, position[1]) }] } : {},
      ],
    },
    orderBy: [{ receivedAt: dir }, { id: dir }],
    take: take + 1,
    select: { id: true, eventKey: true, eventType: true, orderRef: true, reason: true, attempts: true, receivedAt: true },
  });
  return toPage(rows, take, (r) => encodeCursor([r.receivedAt.toISOString(), r.id]));
}
