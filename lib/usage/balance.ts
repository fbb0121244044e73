import "server-only";
import type { Prisma } from "@/lib/db";
import { orderStatus, type OrderStatus } from "@/lib/time/order-status";

export type LedgerLine =
  | { kind: "PLAN_CREDIT" | "ADJUSTMENT" | "CREDIT_END"; at: Date; amountMicros: bigint; note: string | null }
  /** The requests debited on one UTC day, summed. */
  | { kind: "DEBITS"; day: string; at: Date; amountMicros: bigint; requests: number };

export interface OrderBalance {
  id: string;
  marketplaceOrderId: string;
  planName: string;
  status: OrderStatus;
  balanceMicros: bigint;
  /** Newest first. */
  lines: LedgerLine[];
}

/**
 * The buyer's orders with their balance and ledger: each credit, adjustment and close on its own
 * line, and the request debits summed per UTC day (the request log has the single requests).
 */
export async function getCustomerBalances(db: Prisma, input: { customerId: string; now?: Date }): Promise<OrderBalance[]> {
  const now = input.now ?? new Date();
  const orders = await db.order.findMany({
    where: { customerId: input.customerId },
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { id: true, marketplaceOrderId: true, state: true, accessStart: true, accessEnd: true, balanceMicros: true, plan: { select: { name: true } } },
  });
  if (orders.length === 0) return [];
  const ids = orders.map((o) => o.id);
  const [entries, debits] = await Promise.all([
    db.ledgerEntry.findMany({
      where: { orderId: { in: ids }, kind: { not: "DEBIT" } },
      orderBy: { createdAt: "desc" },
      select: { orderId: true, kind: true, amountMicros: true, note: true, createdAt: true },
    }),
    // Summed in the database: an order may have many debits (one per batch of its requests and
    // UTC day, each saying how many requests it pays for). Stored times are UTC.
    db.$queryRaw<{ orderId: string; day: string; amount: bigint | number | string; requests: bigint | number | string }[]>`
      SELECT "orderId", to_char("createdAt", 'YYYY-MM-DD') AS day, sum("amountMicros")::text AS amount, sum(requests)::text AS requests
        FROM "ledger_entries"
       WHERE "orderId" = ANY(${ids}::text[]) AND "kind" = 'DEBIT'
       GROUP BY "orderId", day`,
  ]);
  return orders.map((o) => {
    const lines: LedgerLine[] = [
      ...entries
        .filter((e) => e.orderId === o.id)
        .map((e) => ({ kind: e.kind as "PLAN_CREDIT" | "ADJUSTMENT" | "CREDIT_END", at: e.createdAt, amountMicros: e.amountMicros, note: e.note })),
      ...debits
        .filter((d) => d.orderId === o.id)
        .map((d) => ({
          kind: "DEBITS" as const,
          day: d.day,
          at: new Date(`${d.day}T00:00:00Z`),
          amountMicros: BigInt(d.amount),
          requests: Number(d.requests),
        })),
    ].sort((a, b) => b.at.getTime() - a.at.getTime());
    return {
      id: o.id,
      marketplaceOrderId: o.marketplaceOrderId,
      planName: o.plan.name,
      status: orderStatus(o, now),
      balanceMicros: o.balanceMicros,
      lines,
    };
  });
}
