import "server-only";
import type { Prisma, SqlQuery } from "@/lib/db";
import type { PrismaTypes } from "@/lib/db/types";
import { utcDay } from "@/lib/billing/period";
import type { SpendStore } from "@/lib/billing/spend/spend-types";

// The ledger is the one way an order's balance changes. Every credit and debit is an entry, and
// the order's running total (`Order.balanceMicros`) moves with it in the same transaction:
//  - `addLedgerEntry` inside a transaction that does more (an order created with its plan's
//    credit, an order ended with its credit);
//  - `changeOrderBalance` for a change on its own (an admin adjustment), which also moves the
//    spend store the gateway checks;
//  - `writeUsageDebits` for the usage writer's batches: one debit per order and UTC day of a batch,
//    and `writeRequestDebit` for a request whose log row the database refused.
// A test (ledger-entry-point.test.ts) fails if ledger rows or running totals are written anywhere
// else.

export type LedgerKind = "PLAN_CREDIT" | "DEBIT" | "ADJUSTMENT" | "CREDIT_END";

export interface LedgerEntryInput {
  orderId: string;
  /** Signed: credit positive, removal negative. */
  amountMicros: bigint;
  kind: LedgerKind;
  note?: string;
  actorId?: string;
  /** The request a DEBIT of one request pays for. */
  requestId?: string;
  /** A DEBIT: how many requests it pays for. */
  requests?: number;
  createdAt?: Date;
}

/** What addLedgerEntry needs of a Prisma client or a transaction client. */
export type LedgerWriter = Pick<Prisma, "ledgerEntry" | "order">;

/** Writes one entry and moves the order's running total with it; returns the balance after. */
export async function addLedgerEntry(tx: LedgerWriter, entry: LedgerEntryInput): Promise<bigint> {
  await tx.ledgerEntry.create({
    data: {
      orderId: entry.orderId,
      kind: entry.kind,
      amountMicros: entry.amountMicros,
      note: entry.note,
      actorId: entry.actorId,
      requestId: entry.requestId,
      requests: entry.requests,
      createdAt: entry.createdAt,
    },
  });
  const order = await tx.order.update({
    where: { id: entry.orderId },
    data: { balanceMicros: { increment: entry.amountMicros } },
    select: { balanceMicros: true },
  });
  return order.balanceMicros;
}

/**
 * A credit change on its own: the entry and the running total in one transaction, then the spend
 * store (see spend.ts, "Seeding"). Returns the balance after the change as the database has it.
 * The caller audits it and, for cached key data, publishes an invalidation; the store itself is
 * shared (Redis) or the only one (memory), so it needs none.
 */
export async function changeOrderBalance(
  db: Prisma,
  store: SpendStore,
  change: LedgerEntryInput,
  options: {
    /**
     * Runs in the same transaction after the entry is written, with the balance after it: the
     * caller's audit entry, or a check that throws (and so writes nothing) when the balance may not
     * end there.
     */
    alongside?: (tx: TransactionClient, balanceAfterMicros: bigint) => Promise<void>;
  } = {},
): Promise<bigint> {
  const balanceAfter = await db.$transaction(async (tx) => {
    const after = await addLedgerEntry(tx, change);
    await options.alongside?.(tx, after);
    return after;
  });
  await store.adjustBalance({ orderId: change.orderId, deltaMicros: change.amountMicros, balanceAfterMicros: balanceAfter });
  return balanceAfter;
}

/** The transaction client `changeOrderBalance` hands to `alongside`. */
export type TransactionClient = PrismaTypes.TransactionClient;

/** The order's balance derived from its ledger: the truth the running total must match. */
export async function ledgerBalance(db: Prisma, orderId: string): Promise<bigint> {
  const sum = await db.ledgerEntry.aggregate({ where: { orderId }, _sum: { amountMicros: true } });
  return sum._sum.amountMicros ?? 0n;
}

/** One request's cost, to be debited from its order. */
export interface RequestDebit {
  orderId: string;
  requestId: string;
  costMicros: bigint;
  createdAt: Date;
}

// On the driver, inside the usage writer's transaction. The debits go in and each order's running
// total moves by exactly what went in, in one statement.
const INSERT_DEBITS = `WITH inserted AS (
    INSERT INTO ledger_entries ("orderId", kind, "amountMicros", "requestId", requests, "createdAt")
    SELECT "orderId", 'DEBIT'::"LedgerKind", "amountMicros", "requestId", requests, "createdAt"
    FROM json_to_recordset($1::json) AS r("orderId" text, "amountMicros" bigint, "requestId" text, requests integer, "createdAt" timestamp(3))
    ON CONFLICT ("requestId") DO NOTHING
    RETURNING "orderId", "amountMicros")
  UPDATE orders SET "balanceMicros" = orders."balanceMicros" + d.total, "updatedAt" = $2::timestamp(3)
  FROM (SELECT "orderId", sum("amountMicros") AS total FROM inserted GROUP BY "orderId") AS d WHERE orders.id = d."orderId"`;

interface DebitRow {
  orderId: string;
  amountMicros: string;
  requestId: string | null;
  requests: number;
  createdAt: Date;
}

function insertDebits(query: SqlQuery, rows: DebitRow[]): Promise<unknown> {
  return rows.length === 0 ? Promise.resolve() : query(INSERT_DEBITS, [JSON.stringify(rows), new Date().toISOString()]);
}

/**
 * Debits the requests of one batch whose log rows this same transaction has just written: one
 * entry per order and UTC day (dated by its last request), carrying how many requests it pays for.
 * A request is debited once because its log row is written once: a batch written again (a commit
 * whose answer was lost, usage restored at start-up) finds its log rows there and leaves those
 * requests out of everything, this included. The request log keeps each request's cost.
 */
export function writeUsageDebits(query: SqlQuery, debits: readonly RequestDebit[]): Promise<unknown> {
  const entries = new Map<string, { orderId: string; requests: number; total: bigint; createdAt: Date }>();
  for (const d of debits) {
    if (d.costMicros <= 0n) continue;
    const group = `${d.orderId}|${utcDay(d.createdAt)}`;
    const entry = entries.get(group);
    if (!entry) entries.set(group, { orderId: d.orderId, requests: 1, total: d.costMicros, createdAt: d.createdAt });
    else {
      entry.requests += 1;
      entry.total += d.costMicros;
      if (d.createdAt > entry.createdAt) entry.createdAt = d.createdAt;
    }
  }
  const rows = [...entries.values()].map(({ total, ...entry }) => ({ ...entry, amountMicros: (-total).toString(), requestId: null }));
  return insertDebits(query, rows);
}

/**
 * Debits one request whose log row the database refused, by its id: once, however often its
 * record is written again (it is refused again, and comes back here).
 */
export function writeRequestDebit(query: SqlQuery, debit: RequestDebit): Promise<unknown> {
  if (debit.costMicros <= 0n) return Promise.resolve();
  return insertDebits(query, [
    { orderId: debit.orderId, amountMicros: (-debit.costMicros).toString(), requestId: debit.requestId, requests: 1, createdAt: debit.createdAt },
  ]);
}
