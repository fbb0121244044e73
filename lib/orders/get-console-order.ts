import "server-only";
import type { ApiKeyStatus } from "@/lib/db/types";
import type { Prisma } from "@/lib/db";
import { orderStatus, type OrderStatus } from "@/lib/time/order-status";

/** A key as the console shows it: its mask parts and state, never the key or anything it derives from. */
export interface ConsoleOrderKey {
  id: string;
  name: string;
  lastFour: string;
  status: ApiKeyStatus;
  createdAt: Date;
  lastUsedAt: Date | null;
  revealedAt: Date | null;
  handedOutAt: Date | null;
  validUntil: Date | null;
}

export interface ConsoleLedgerEntry {
  id: string;
  kind: string;
  amountMicros: bigint;
  /** A DEBIT: how many requests it pays for. */
  requests: number;
  note: string | null;
  /** The staff member who made an adjustment, when one did. */
  actorEmail: string | null;
  createdAt: Date;
}

export interface ConsoleOrderTicket {
  id: string;
  number: number;
  subject: string;
  status: string;
  updatedAt: Date;
}

export interface ConsoleOrderDetail {
  id: string;
  marketplaceOrderId: string;
  status: OrderStatus;
  source: string;
  accessStart: Date;
  accessEnd: Date;
  endedAt: Date | null;
  createdAt: Date;
  customer: { id: string; name: string; emails: string[] };
  plan: { name: string; models: string[]; rpm: number; tpm: number | null; creditMicros: bigint; durationDays: number };
  /** The running total of the ledger, the balance the gateway checks. */
  balanceMicros: bigint;
  usage: { requests: number; errors: number; inputTokens: bigint; outputTokens: bigint; costMicros: bigint; lastUsedAt: Date | null };
  keys: ConsoleOrderKey[];
  /** The newest ledger entries; `moreLedger` when older ones exist. */
  ledger: ConsoleLedgerEntry[];
  moreLedger: boolean;
  tickets: ConsoleOrderTicket[];
}

const LEDGER_SHOWN = 100;
const TICKETS_SHOWN = 50;

/**
 * Everything the console's order page shows, or null for no such order. Bounded reads, so a busy
 * order (a debit per request) costs what a quiet one does: the usage comes from the daily rollups
 * (never the request log), the balance from the running total, the ledger's newest 100 entries and
 * the newest 50 tickets.
 */
export async function getConsoleOrder(db: Prisma, orderId: string, now: Date = new Date()): Promise<ConsoleOrderDetail | null> {
  const order = await db.order.findUnique({
    where: { id: orderId },
    select: {
      id: true,
      marketplaceOrderId: true,
      state: true,
      source: true,
      accessStart: true,
      accessEnd: true,
      endedAt: true,
      createdAt: true,
      balanceMicros: true,
      customer: { select: { id: true, name: true, users: { select: { email: true }, orderBy: { email: "asc" }, take: 20 } } },
      plan: { select: { name: true, models: true, rpm: true, tpm: true, creditMicros: true, durationDays: true } },
    },
  });
  if (!order) return null;
  const [keys, usage, ledger, tickets] = await Promise.all([
    db.apiKey.findMany({
      where: { orderId },
      orderBy: { createdAt: "desc" },
      select: { id: true, name: true, lastFour: true, status: true, createdAt: true, lastUsedAt: true, revealedAt: true, handedOutAt: true, validUntil: true },
    }),
    db.usageDaily.aggregate({
      where: { orderId },
      _sum: { requests: true, errors: true, inputTokens: true, outputTokens: true, costMicros: true },
    }),
    db.ledgerEntry.findMany({
      where: { orderId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: LEDGER_SHOWN + 1,
      select: { id: true, kind: true, amountMicros: true, requests: true, note: true, actorId: true, createdAt: true },
    }),
    db.ticket.findMany({
      where: { orderId },
      orderBy: { number: "desc" },
      take: TICKETS_SHOWN,
      select: { id: true, number: true, subject: true, status: true, updatedAt: true },
    }),
  ]);
  const shown = ledger.slice(0, LEDGER_SHOWN);
  const actorIds = [...new Set(shown.map((l) => l.actorId).filter((id): id is string => id !== null))];
  const actors = actorIds.length ? await db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, email: true } }) : [];
  const emailOf = new Map(actors.map((a) => [a.id, a.email]));
  const lastUsedAt = keys.reduce<Date | null>((latest, k) => (k.lastUsedAt && (!latest || k.lastUsedAt > latest) ? k.lastUsedAt : latest), null);
  return {
    id: order.id,
    marketplaceOrderId: order.marketplaceOrderId,
    status: orderStatus(order, now),
    source: order.source,
    accessStart: order.accessStart,
    accessEnd: order.accessEnd,
    endedAt: order.endedAt,
    createdAt: order.createdAt,
    customer: { id: order.customer.id, name: order.customer.name, emails: order.customer.users.map((u) => u.email) },
    plan: order.plan,
    balanceMicros: order.balanceMicros,
    usage: {
      requests: usage._sum.requests ?? 0,
      errors: usage._sum.errors ?? 0,
      inputTokens: usage._sum.inputTokens ?? 0n,
      outputTokens: usage._sum.outputTokens ?? 0n,
      costMicros: usage._sum.costMicros ?? 0n,
      lastUsedAt,
    },
    keys,
    ledger: shown.map((l) => ({
      id: l.id.toString(),
      kind: l.kind,
      amountMicros: l.amountMicros,
      requests: l.requests,
      note: l.note,
      actorEmail: l.actorId ? (emailOf.get(l.actorId) ?? null) : null,
      createdAt: l.createdAt,
    })),
    moreLedger: ledger.length > LEDGER_SHOWN,
    tickets,
  };
}
