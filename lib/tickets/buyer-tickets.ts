import "server-only";
import { recordAudit } from "@/lib/audit";
import type { Prisma } from "@/lib/db";
import type { Notification } from "@/lib/mail";
import { toPage, type Page } from "@/lib/pagination";
import { orderStatus, type OrderStatus } from "@/lib/time/order-status";
import { isPastAutoClose } from "./close-resolved";
import type { TicketDesk } from "./ticket-desk";
import { TicketError } from "./ticket-errors";
import type { TicketCategory, TicketStatus } from "./ticket-labels";
import { ticketCursor, ticketKeyset, type BuyerTicketQuery } from "./ticket-list-query";
import { buyerReplyMail } from "./ticket-mail";

export interface BuyerTicketSummary {
  id: string;
  number: number;
  subject: string;
  category: TicketCategory;
  status: TicketStatus;
  orderLabel: string | null;
  createdAt: Date;
  lastActivityAt: Date;
}

/** One page of the buyer's own tickets. */
export async function listBuyerTickets(
  db: Prisma,
  input: { customerId: string; query: BuyerTicketQuery; take?: number; now?: Date },
): Promise<Page<BuyerTicketSummary>> {
  const take = input.take ?? 25;
  const { orderBy, after } = ticketKeyset(input.query);
  const rows = await db.ticket.findMany({
    where: { AND: [{ customerId: input.customerId }, after] },
    orderBy,
    take: take + 1,
    select: {
      id: true,
      number: true,
      subject: true,
      category: true,
      status: true,
      createdAt: true,
      lastActivityAt: true,
      firstResponseDueAt: true,
      order: { select: { marketplaceOrderId: true } },
    },
  });
  const page = toPage(rows, take, (t) => ticketCursor(t, input.query));
  return {
    nextCursor: page.nextCursor,
    rows: page.rows.map((t) => ({
      id: t.id,
      number: t.number,
      subject: t.subject,
      category: t.category,
      status: t.status,
      createdAt: t.createdAt,
      lastActivityAt: t.lastActivityAt,
      orderLabel: t.order?.marketplaceOrderId ?? null,
    })),
  };
}

export interface ThreadMessage {
  id: string;
  body: string;
  internal: boolean;
  createdAt: Date;
  author: { fromStaff: boolean; label: string };
}

export interface LinkedRequest {
  requestId: string;
  createdAt: Date;
  model: string | null;
  status: number;
  errorCode: string | null;
}

export interface BuyerTicketView {
  id: string;
  number: number;
  subject: string;
  category: TicketCategory;
  status: TicketStatus;
  createdAt: Date;
  order: { id: string; marketplaceOrderId: string; status: OrderStatus } | null;
  requests: LinkedRequest[];
  messages: ThreadMessage[];
}

/** How a message's author is shown: staff as "Support" (with a first name when known). */
export function authorLabel(author: { role: string; name: string | null; email: string }, viewerIsStaff: boolean): { fromStaff: boolean; label: string } {
  const fromStaff = author.role !== "BUYER";
  if (!fromStaff) return { fromStaff, label: viewerIsStaff ? author.email : "You" };
  if (viewerIsStaff) return { fromStaff, label: author.name ?? author.email };
  const first = author.name?.trim().split(/\s+/)[0];
  return { fromStaff, label: first ? `${first} (Support)` : "Support" };
}

/** Linked request rows of `customerId` (only the account's own, whatever ids the ticket holds). */
export async function linkedRequests(db: Prisma, customerId: string, requestIds: string[]): Promise<LinkedRequest[]> {
  if (requestIds.length === 0) return [];
  return db.requestLog.findMany({
    where: { requestId: { in: requestIds }, customerId },
    orderBy: { createdAt: "asc" },
    select: { requestId: true, createdAt: true, model: true, status: true, errorCode: true },
  });
}

/**
 * The buyer's view of their ticket `number`, or null when the account has no such ticket.
 * Internal notes are filtered out in the query itself: they never leave the database for a buyer.
 */
export async function getBuyerTicket(db: Prisma, input: { customerId: string; number: number; now?: Date }): Promise<BuyerTicketView | null> {
  const now = input.now ?? new Date();
  const ticket = await db.ticket.findFirst({
    where: { number: input.number, customerId: input.customerId },
    select: {
      id: true,
      number: true,
      subject: true,
      category: true,
      status: true,
      createdAt: true,
      requestIds: true,
      order: { select: { id: true, marketplaceOrderId: true, state: true, accessStart: true, accessEnd: true } },
      messages: {
        where: { internal: false },
        orderBy: { createdAt: "asc" },
        select: { id: true, body: true, internal: true, createdAt: true, author: { select: { role: true, name: true, email: true } } },
      },
    },
  });
  if (!ticket) return null;
  const { order, messages, requestIds, ...rest } = ticket;
  return {
    ...rest,
    order: order ? { id: order.id, marketplaceOrderId: order.marketplaceOrderId, status: orderStatus(order, now) } : null,
    requests: await linkedRequests(db, input.customerId, requestIds),
    messages: messages.map(({ author, ...m }) => ({ ...m, author: authorLabel(author, false) })),
  };
}

async function ownTicket(db: Prisma, customerId: string, number: number) {
  const ticket = await db.ticket.findFirst({
    where: { number, customerId },
    select: {
      id: true,
      number: true,
      subject: true,
      status: true,
      resolvedAt: true,
      assignee: { select: { email: true } },
      openedBy: { select: { email: true } },
    },
  });
  if (!ticket) throw new TicketError("No such ticket on your account.");
  return ticket;
}

/**
 * The buyer adds a message. A ticket waiting on them, or resolved, goes back to support (OPEN);
 * a closed ticket takes no more messages. The assigned agent, if any, is mailed.
 */
export async function addBuyerReply(
  db: Prisma,
  input: { customerId: string; userId: string; number: number; body: string; ip?: string | null; now?: Date },
  desk: TicketDesk,
): Promise<{ status: TicketStatus; mail: Notification[] }> {
  const now = input.now ?? new Date();
  const ticket = await ownTicket(db, input.customerId, input.number);
  // Past the 7 days a resolved ticket counts as closed even before the sweep has closed it.
  if (ticket.status === "CLOSED" || isPastAutoClose(ticket, now))
    throw new TicketError("This ticket is closed. Open a new ticket and mention this one's number.");
  const status: TicketStatus = "OPEN";
  await db.$transaction(async (tx) => {
    // Guarded by status: a reply racing an auto-close or a close does not reopen a closed ticket.
    const updated = await tx.ticket.updateMany({
      where: { id: ticket.id, status: { not: "CLOSED" } },
      data: { status, resolvedAt: null, lastActivityAt: now },
    });
    if (updated.count === 0) throw new TicketError("This ticket is closed. Open a new ticket and mention this one's number.");
    await tx.ticketMessage.create({ data: { ticketId: ticket.id, authorId: input.userId, body: input.body, createdAt: now } });
    await recordAudit(tx, {
      actor: { userId: input.userId, ip: input.ip },
      action: "ticket.buyer_replied",
      targetType: "ticket",
      targetId: ticket.id,
      details: { ticket: ticket.number, reopened: ticket.status !== "OPEN" },
    });
  });
  const mail = ticket.assignee
    ? [
        buyerReplyMail(desk.publicUrl, ticket.assignee.email, {
          number: ticket.number,
          subject: ticket.subject,
          buyerEmail: ticket.openedBy.email,
          body: input.body,
        }),
      ]
    : [];
  return { status, mail };
}

/** The buyer closes their ticket (nothing more to do). Closing a closed ticket changes nothing. */
export async function closeBuyerTicket(
  db: Prisma,
  input: { customerId: string; userId: string; number: number; ip?: string | null; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date();
  const ticket = await ownTicket(db, input.customerId, input.number);
  if (ticket.status === "CLOSED") return;
  await db.$transaction(async (tx) => {
    await tx.ticket.update({ where: { id: ticket.id }, data: { status: "CLOSED", lastActivityAt: now } });
    await recordAudit(tx, {
      actor: { userId: input.userId, ip: input.ip },
      action: "ticket.closed_by_buyer",
      targetType: "ticket",
      targetId: ticket.id,
      details: { ticket: ticket.number, from: ticket.status },
    });
  });
}
