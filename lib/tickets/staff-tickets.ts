import "server-only";
import { recordAudit } from "@/lib/audit";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import type { PrismaTypes } from "@/lib/db/types";
import { rotateApiKey } from "@/lib/keys";
import type { Notification } from "@/lib/mail";
import { toPage, type Page } from "@/lib/pagination";
import { orderStatus, type OrderStatus } from "@/lib/time/order-status";
import { authorLabel, linkedRequests, type LinkedRequest, type ThreadMessage } from "./buyer-tickets";
import type { TicketDesk } from "./ticket-desk";
import { TicketError } from "./ticket-errors";
import { formatTicketNumber, parseTicketNumber, type TicketCategory, type TicketPriority, type TicketStatus } from "./ticket-labels";
import { ticketCursor, ticketKeyset, type TicketQueueQuery } from "./ticket-list-query";
import { agentReplyMail, statusChangeMail } from "./ticket-mail";

export interface QueueTicket {
  id: string;
  number: number;
  subject: string;
  category: TicketCategory;
  status: TicketStatus;
  priority: TicketPriority;
  buyerEmail: string;
  orderLabel: string | null;
  assignee: string | null;
  createdAt: Date;
  lastActivityAt: Date;
  firstResponseDueAt: Date;
  firstResponseAt: Date | null;
  /** No staff reply yet and past the first-response target. */
  overdue: boolean;
}

/** Whether a ticket still owes its first response and the target has passed. */
export function isOverdue(t: { status: TicketStatus; firstResponseAt: Date | null; firstResponseDueAt: Date }, now: Date): boolean {
  return t.firstResponseAt === null && (t.status === "OPEN" || t.status === "WAITING_ON_CUSTOMER") && t.firstResponseDueAt < now;
}

function queueFilter(query: TicketQueueQuery, userId: string): PrismaTypes.TicketWhereInput[] {
  const where: PrismaTypes.TicketWhereInput[] = [];
  if (query.status === "active") where.push({ status: { in: ["OPEN", "WAITING_ON_CUSTOMER"] } });
  else if (query.status !== "all") where.push({ status: query.status });
  if (query.priority) where.push({ priority: query.priority });
  if (query.category) where.push({ category: query.category });
  if (query.assignee === "me") where.push({ assigneeId: userId });
  else if (query.assignee === "none") where.push({ assigneeId: null });
  else if (query.assignee) where.push({ assigneeId: query.assignee });
  const q = query.q;
  if (q) {
    const number = parseTicketNumber(q);
    const any: PrismaTypes.TicketWhereInput[] = [
      { openedBy: { email: { contains: q.toLowerCase() } } },
      { order: { marketplaceOrderId: { equals: q, mode: "insensitive" } } },
      { requestIds: { has: q } },
    ];
    if (number !== null) any.unshift({ number });
    where.push({ OR: any });
  }
  return where;
}

/** One page of the agents' queue. */
export async function listTicketQueue(db: Prisma, input: { query: TicketQueueQuery; userId: string; take?: number; now?: Date }): Promise<Page<QueueTicket>> {
  const now = input.now ?? new Date();
  const take = input.take ?? 50;
  const { orderBy, after } = ticketKeyset(input.query);
  const rows = await db.ticket.findMany({
    where: { AND: [...queueFilter(input.query, input.userId), after] },
    orderBy,
    take: take + 1,
    select: {
      id: true,
      number: true,
      subject: true,
      category: true,
      status: true,
      priority: true,
      createdAt: true,
      lastActivityAt: true,
      firstResponseDueAt: true,
      firstResponseAt: true,
      openedBy: { select: { email: true } },
      assignee: { select: { email: true, name: true } },
      order: { select: { marketplaceOrderId: true } },
    },
  });
  const page = toPage(rows, take, (t) => ticketCursor(t, input.query));
  return {
    nextCursor: page.nextCursor,
    rows: page.rows.map(({ openedBy, assignee, order, ...t }) => ({
      ...t,
      buyerEmail: openedBy.email,
      orderLabel: order?.marketplaceOrderId ?? null,
      assignee: assignee ? (assignee.name ?? assignee.email) : null,
      overdue: isOverdue(t, now),
    })),
  };
}

export interface AgentTicketView {
  id: string;
  number: number;
  subject: string;
  category: TicketCategory;
  status: TicketStatus;
  priority: TicketPriority;
  createdAt: Date;
  firstResponseDueAt: Date;
  firstResponseAt: Date | null;
  overdue: boolean;
  assigneeId: string | null;
  orderId: string | null;
  messages: ThreadMessage[];
  requests: LinkedRequest[];
  account: { id: string; name: string; users: { email: string; name: string | null }[]; createdAt: Date };
  orders: { id: string; marketplaceOrderId: string; planName: string; status: OrderStatus; accessEnd: Date }[];
  keys: {
    id: string;
    orderId: string;
    marketplaceOrderId: string;
    name: string;
    lastFour: string;
    status: string;
    lastUsedAt: Date | null;
    validUntil: Date | null;
  }[];
  staff: { id: string; label: string }[];
}

/** Everything an agent sees on a ticket: the whole thread (notes included) and the buyer's context. */
export async function getAgentTicket(db: Prisma, input: { number: number; now?: Date }): Promise<AgentTicketView | null> {
  const now = input.now ?? new Date();
  const ticket = await db.ticket.findUnique({
    where: { number: input.number },
    select: {
      id: true,
      number: true,
      subject: true,
      category: true,
      status: true,
      priority: true,
      createdAt: true,
      firstResponseDueAt: true,
      firstResponseAt: true,
      assigneeId: true,
      orderId: true,
      requestIds: true,
      customer: { select: { id: true, name: true, createdAt: true, users: { select: { email: true, name: true }, orderBy: { email: "asc" } } } },
      messages: {
        orderBy: { createdAt: "asc" },
        select: { id: true, body: true, internal: true, createdAt: true, author: { select: { role: true, name: true, email: true } } },
      },
    },
  });
  if (!ticket) return null;
  const { customer, messages, requestIds, ...rest } = ticket;
  const [orders, keys, requests, staff] = await Promise.all([
    db.order.findMany({
      where: { customerId: ticket.customer.id },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: { id: true, marketplaceOrderId: true, state: true, accessStart: true, accessEnd: true, plan: { select: { name: true } } },
    }),
    db.apiKey.findMany({
      where: { order: { customerId: ticket.customer.id } },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: {
        id: true,
        orderId: true,
        name: true,
        lastFour: true,
        status: true,
        lastUsedAt: true,
        validUntil: true,
        order: { select: { marketplaceOrderId: true } },
      },
    }),
    linkedRequests(db, customer.id, requestIds),
    listTicketAgents(db),
  ]);
  return {
    ...rest,
    overdue: isOverdue(ticket, now),
    messages: messages.map(({ author, ...m }) => ({ ...m, author: authorLabel(author, true) })),
    requests,
    account: customer,
    orders: orders.map((o) => ({
      id: o.id,
      marketplaceOrderId: o.marketplaceOrderId,
      planName: o.plan.name,
      status: orderStatus(o, now),
      accessEnd: o.accessEnd,
    })),
    keys: keys.map(({ order, ...k }) => ({ ...k, marketplaceOrderId: order.marketplaceOrderId })),
    staff,
  };
}

type StaffActor = { userId: string; ip?: string | null };

async function ticketForStaff(db: Prisma, number: number) {
  const ticket = await db.ticket.findUnique({
    where: { number },
    select: { id: true, number: true, subject: true, status: true, priority: true, assigneeId: true, customerId: true, openedBy: { select: { email: true } } },
  });
  if (!ticket) throw new TicketError(`No ticket ${formatTicketNumber(number)}.`);
  return ticket;
}

function statusFields(status: TicketStatus, now: Date) {
  return { status, resolvedAt: status === "RESOLVED" ? now : null };
}

/**
 * An agent's reply to the buyer, or an internal note (never shown or mailed to the buyer). A reply
 * may set the status in the same step (default: waiting on the customer); the first reply marks
 * the first response. Audited with the ticket number; returns the buyer's mail (none for a note).
 */
export async function addAgentMessage(
  db: Prisma,
  input: { number: number; actor: StaffActor; body: string; internal: boolean; status?: TicketStatus; now?: Date },
  desk: TicketDesk,
): Promise<{ mail: Notification[] }> {
  const now = input.now ?? new Date();
  const ticket = await ticketForStaff(db, input.number);
  const status = input.internal ? ticket.status : (input.status ?? "WAITING_ON_CUSTOMER");
  await db.$transaction(async (tx) => {
    await tx.ticketMessage.create({ data: { ticketId: ticket.id, authorId: input.actor.userId, body: input.body, internal: input.internal, createdAt: now } });
    if (!input.internal) {
      await tx.ticket.update({
        where: { id: ticket.id },
        data: { ...(status !== ticket.status ? statusFields(status, now) : {}), lastActivityAt: now },
      });
      // Only the first reply sets it; a concurrent first reply leaves the earlier time.
      await tx.ticket.updateMany({ where: { id: ticket.id, firstResponseAt: null }, data: { firstResponseAt: now } });
    }
    await recordAudit(tx, {
      actor: input.actor,
      action: input.internal ? "ticket.note_added" : "ticket.replied",
      targetType: "ticket",
      targetId: ticket.id,
      details: { ticket: ticket.number, ...(status !== ticket.status ? { status: { from: ticket.status, to: status } } : {}) },
    });
  });
  if (input.internal) return { mail: [] };
  return { mail: [agentReplyMail(desk.publicUrl, ticket.openedBy.email, { number: ticket.number, subject: ticket.subject, body: input.body, status })] };
}

/**
 * Changes a ticket's status, priority and assignee (any of them). Each change is audited; a
 * status change is mailed to the buyer. The assignee must be a support agent or admin.
 */
export async function updateTicket(
  db: Prisma,
  input: { number: number; actor: StaffActor; status?: TicketStatus; priority?: TicketPriority; assigneeId?: string | null; now?: Date },
  desk: TicketDesk,
): Promise<{ changed: string[]; mail: Notification[] }> {
  const now = input.now ?? new Date();
  const ticket = await ticketForStaff(db, input.number);
  if (input.assigneeId) {
    const assignee = await db.user.findFirst({ where: { id: input.assigneeId, role: { in: ["SUPPORT", "ADMIN"] } }, select: { id: true } });
    if (!assignee) throw new TicketError("Assign the ticket to a support agent or an admin.", "assigneeId");
  }
  const data: PrismaTypes.TicketUncheckedUpdateInput = {};
  const changes: Record<string, { from: string | null; to: string | null }> = {};
  if (input.status !== undefined && input.status !== ticket.status) {
    Object.assign(data, statusFields(input.status, now), { lastActivityAt: now });
    changes.status = { from: ticket.status, to: input.status };
  }
  if (input.priority !== undefined && input.priority !== ticket.priority) {
    data.priority = input.priority;
    changes.priority = { from: ticket.priority, to: input.priority };
  }
  if (input.assigneeId !== undefined && input.assigneeId !== ticket.assigneeId) {
    data.assigneeId = input.assigneeId;
    changes.assignee = { from: ticket.assigneeId, to: input.assigneeId };
  }
  const changed = Object.keys(changes);
  if (changed.length === 0) return { changed, mail: [] };
  await db.$transaction(async (tx) => {
    await tx.ticket.update({ where: { id: ticket.id }, data });
    await recordAudit(tx, {
      actor: input.actor,
      action: "ticket.updated",
      targetType: "ticket",
      targetId: ticket.id,
      details: { ticket: ticket.number, ...changes },
    });
  });
  const mail = changes.status
    ? [statusChangeMail(desk.publicUrl, ticket.openedBy.email, { number: ticket.number, subject: ticket.subject, status: input.status! })]
    : [];
  return { changed, mail };
}

/** The overlaps an agent may choose when rotating from a ticket. */
export const TICKET_ROTATION_OVERLAPS = { none: 0, "1h": 60 * 60 * 1000, "24h": 24 * 60 * 60 * 1000 } as const;
export type TicketRotationOverlap = keyof typeof TICKET_ROTATION_OVERLAPS;

function describeOverlap(overlap: TicketRotationOverlap, validUntil: Date): string {
  if (overlap === "none") return "The old key stopped working at once.";
  return `The old key keeps working until ${validUntil.toISOString().replace("T", " ").slice(0, 16)} UTC (${overlap === "1h" ? "one hour" : "24 hours"}), so you can switch your clients over.`;
}

/**
 * Rotates one of the ticket's account's keys from the ticket: the key must belong to the ticket's
 * account and end in `lastFour` (what the agent confirmed). The new key is revealed by the buyer
 * on the order page; a reply saying so is added to the thread and mailed. The key itself never
 * goes into the ticket, the audit log or the mail.
 */
export async function rotateKeyFromTicket(
  db: Prisma,
  input: { number: number; keyId: string; lastFour: string; overlap: TicketRotationOverlap; actor: StaffActor; keys: SecretKeys; now?: Date },
  desk: TicketDesk,
): Promise<{ newLastFour: string; validUntil: Date; mail: Notification[] }> {
  const now = input.now ?? new Date();
  const ticket = await ticketForStaff(db, input.number);
  const key = await db.apiKey.findFirst({
    where: { id: input.keyId, order: { customerId: ticket.customerId } },
    select: { id: true, lastFour: true, orderId: true, order: { select: { marketplaceOrderId: true } } },
  });
  if (!key) throw new TicketError("That key does not belong to this ticket's account.", "keyId");
  if (key.lastFour !== input.lastFour.trim()) throw new TicketError(`Type the key's last four characters (${key.lastFour}) to confirm.`, "lastFour");
  const rotated = await rotateApiKey(db, {
    keyId: key.id,
    customerId: ticket.customerId,
    overlapMs: TICKET_ROTATION_OVERLAPS[input.overlap],
    delivery: "reveal",
    actor: input.actor,
    keys: input.keys,
    now,
  });
  await recordAudit(db, {
    actor: input.actor,
    action: "ticket.key_rotated",
    targetType: "ticket",
    targetId: ticket.id,
    details: {
      ticket: ticket.number,
      keyId: key.id,
      oldLastFour: key.lastFour,
      newKeyId: rotated.newKeyId,
      newLastFour: rotated.lastFour,
      overlap: input.overlap,
    },
  });
  const body = [
    `We replaced your API key ending in ${key.lastFour} for order ${key.order.marketplaceOrderId}.`,
    `Reveal the new key (ending in ${rotated.lastFour}) on your order page: ${desk.publicUrl}/orders/${key.orderId}. It can be revealed once, so copy it into your client right away.`,
    describeOverlap(input.overlap, rotated.validUntil),
  ].join("\n\n");
  const { mail } = await addAgentMessage(db, { number: ticket.number, actor: input.actor, body, internal: false, status: "WAITING_ON_CUSTOMER", now }, desk);
  return { newLastFour: rotated.lastFour, validUntil: rotated.validUntil, mail };
}

/** Support agents and admins, for the assignee choices. */
export async function listTicketAgents(db: Prisma): Promise<{ id: string; label: string }[]> {
  const staff = await db.user.findMany({
    where: { role: { in: ["SUPPORT", "ADMIN"] } },
    orderBy: { email: "asc" },
    select: { id: true, email: true, name: true },
  });
  return staff.map((s) => ({ id: s.id, label: s.name ? `${s.name} (${s.email})` : s.email }));
}
