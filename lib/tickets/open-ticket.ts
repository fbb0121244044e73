import "server-only";
import { recordAudit, type Actor } from "@/lib/audit";
import type { Prisma } from "@/lib/db";
import type { PrismaTypes } from "@/lib/db/types";
import { consumeRateLimit, type RateLimitRule } from "@/lib/limits";
import type { Notification } from "@/lib/mail";
import { addBusinessHours } from "@/lib/time/business-hours";
import type { TicketDesk } from "./ticket-desk";
import { TicketError, TicketRateLimitedError } from "./ticket-errors";
import type { TicketCategory } from "./ticket-labels";
import { newTicketMail } from "./ticket-mail";

/** New tickets per account: enough for a bad day, too few to flood the queue. */
export const NEW_TICKET_LIMIT = { name: "ticket:new", points: 5, durationSeconds: 60 * 60 } as const satisfies RateLimitRule;

export interface OpenTicketInput {
  customerId: string;
  userId: string;
  category: TicketCategory;
  subject: string;
  body: string;
  orderId: string | null;
  requestIds: string[];
  ip?: string | null;
  now?: Date;
}

/**
 * Opens a ticket on the buyer's own account. The order and every request id must be the
 * account's own (another account's id reads as "not found", like everywhere else). Counted
 * against NEW_TICKET_LIMIT after the input is accepted. Returns the mail for the desk.
 */
export async function openTicket(db: Prisma, input: OpenTicketInput, desk: TicketDesk): Promise<{ id: string; number: number; mail: Notification[] }> {
  const now = input.now ?? new Date();
  let orderLabel: string | null = null;
  if (input.orderId !== null) {
    const order = await db.order.findFirst({ where: { id: input.orderId, customerId: input.customerId }, select: { marketplaceOrderId: true } });
    if (!order) throw new TicketError("Choose one of your own orders.", "orderId");
    orderLabel = order.marketplaceOrderId;
  }
  if (input.requestIds.length > 0) {
    const found = await db.requestLog.findMany({
      where: { requestId: { in: input.requestIds }, customerId: input.customerId },
      select: { requestId: true },
    });
    const known = new Set(found.map((r) => r.requestId));
    const missing = input.requestIds.filter((id) => !known.has(id));
    if (missing.length > 0) {
      throw new TicketError(
        `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not in your request log. Copy the id from the x-request-id header of a response to one of your keys (it can take a few seconds to appear).`,
        "requestIds",
      );
    }
  }
  const limit = await consumeRateLimit(NEW_TICKET_LIMIT, input.customerId);
  if (!limit.allowed) throw new TicketRateLimitedError(limit.retryAfterSeconds ?? NEW_TICKET_LIMIT.durationSeconds);

  const ticket = await db.$transaction((tx) => createTicket(tx, { ...input, orderLabel, actor: { userId: input.userId, ip: input.ip }, now }, desk));
  return { id: ticket.id, number: ticket.number, mail: await deskMail(db, desk, ticket) };
}

/**
 * Opens a ticket on a buyer's account on the system's behalf (a scanner reported their key), inside
 * the caller's transaction so the ticket lands with the act it reports, or not at all. The input is
 * the system's own (no ownership checks, no per-account limit); `userId` is the account's buyer,
 * who sees it among their tickets. Returns the mail for the desk, to send after commit.
 */
export async function openSystemTicket(
  tx: PrismaTypes.TransactionClient,
  input: Omit<OpenTicketInput, "requestIds" | "ip"> & { orderLabel: string | null },
  desk: TicketDesk,
): Promise<{ id: string; number: number; mail: Notification[] }> {
  const now = input.now ?? new Date();
  const ticket = await createTicket(tx, { ...input, requestIds: [], actor: { label: "system" }, now }, desk);
  return { id: ticket.id, number: ticket.number, mail: await deskMail(tx, desk, ticket) };
}

type TicketReader = Pick<PrismaTypes.TransactionClient, "user">;

interface CreatedTicket {
  id: string;
  number: number;
  buyerEmail: string;
  subject: string;
  category: TicketCategory;
  orderLabel: string | null;
  body: string;
}

/** The one way a ticket is created: the ticket, its first message and the audit entry. */
async function createTicket(
  tx: PrismaTypes.TransactionClient,
  input: Omit<OpenTicketInput, "ip" | "now"> & { orderLabel: string | null; actor: Actor; now: Date },
  desk: TicketDesk,
): Promise<CreatedTicket> {
  const { now } = input;
  const created = await tx.ticket.create({
    data: {
      customerId: input.customerId,
      orderId: input.orderId,
      openedById: input.userId,
      subject: input.subject,
      category: input.category,
      // A reported leak is urgent: the key works for whoever found it until it is rotated.
      priority: input.category === "KEY_EXPOSED" ? "HIGH" : "NORMAL",
      requestIds: input.requestIds,
      firstResponseDueAt: addBusinessHours(now, desk.firstResponseHours, desk.hours),
      createdAt: now,
      lastActivityAt: now,
      messages: { create: { authorId: input.userId, body: input.body, createdAt: now } },
    },
    select: { id: true, number: true, openedBy: { select: { email: true } } },
  });
  await recordAudit(tx, {
    actor: input.actor,
    action: "ticket.opened",
    targetType: "ticket",
    targetId: created.id,
    details: { ticket: created.number, category: input.category, orderId: input.orderId, requestIds: input.requestIds },
  });
  return {
    id: created.id,
    number: created.number,
    buyerEmail: created.openedBy.email,
    subject: input.subject,
    category: input.category,
    orderLabel: input.orderLabel,
    body: input.body,
  };
}

async function deskMail(db: TicketReader, desk: TicketDesk, ticket: CreatedTicket): Promise<Notification[]> {
  const recipients = desk.emails.length > 0 ? [...desk.emails] : await staffEmails(db);
  return newTicketMail(desk.publicUrl, recipients, ticket);
}

async function staffEmails(db: TicketReader): Promise<string[]> {
  const staff = await db.user.findMany({ where: { role: { in: ["SUPPORT", "ADMIN"] } }, select: { email: true }, orderBy: { email: "asc" } });
  return staff.map((s) => s.email);
}
