import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LocalTime } from "@/components/local-time";
import { OrderStatusBadge } from "@/components/order-status-badge";
import { RemainingTime } from "@/components/orders/remaining-time";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DataTable, type DataTableColumn } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";
import { formatUsd } from "@/lib/billing/money";
import { formatKeyMask } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { getConsoleOrder, type ConsoleLedgerEntry, type ConsoleOrderKey, type ConsoleOrderTicket } from "@/lib/orders";
import { CancelForm, CreditForm, WindowForm } from "./order-admin-forms";

export const metadata: Metadata = { title: "Order" };
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

const KEY_STATUS: Record<ConsoleOrderKey["status"], { label: string; tone: BadgeTone }> = {
  ACTIVE: { label: "Active", tone: "success" },
  DISABLED: { label: "Disabled", tone: "warning" },
  REPLACED: { label: "Replaced", tone: "neutral" },
  DELETED: { label: "Deleted", tone: "danger" },
};

const TICKET_STATUS: Record<string, string> = { OPEN: "Open", WAITING_ON_CUSTOMER: "Waiting on customer", RESOLVED: "Resolved", CLOSED: "Closed" };
const LEDGER_KIND: Record<string, string> = { PLAN_CREDIT: "Plan credit", ADJUSTMENT: "Adjustment", CREDIT_END: "Credit ended" };

const keyColumns: DataTableColumn<ConsoleOrderKey>[] = [
  {
    id: "key",
    header: "Key",
    rowHeader: true,
    className: "whitespace-nowrap",
    cell: (k) => (
      <>
        <span className="font-mono">{formatKeyMask(k.lastFour)}</span>
        <span className="block text-xs text-muted">{k.name}</span>
      </>
    ),
  },
  {
    id: "status",
    header: "Status",
    cell: (k) => (
      <>
        <Badge tone={KEY_STATUS[k.status].tone}>{KEY_STATUS[k.status].label}</Badge>
        {k.status === "REPLACED" && k.validUntil ? (
          <span className="block text-xs text-muted">
            works until <LocalTime value={k.validUntil} />
          </span>
        ) : null}
      </>
    ),
  },
  { id: "created", header: "Issued", className: "whitespace-nowrap", cell: (k) => <LocalTime value={k.createdAt} /> },
  {
    id: "delivery",
    header: "Delivery",
    cell: (k) =>
      k.handedOutAt ? (
        <>
          Handed out <LocalTime value={k.handedOutAt} dateOnly />
        </>
      ) : k.revealedAt ? (
        <>
          Revealed <LocalTime value={k.revealedAt} dateOnly />
        </>
      ) : (
        "Not revealed yet"
      ),
  },
  {
    id: "used",
    header: "Last use",
    className: "whitespace-nowrap",
    cell: (k) => (k.lastUsedAt ? <LocalTime value={k.lastUsedAt} /> : <span className="text-muted">Never</span>),
  },
];

const ledgerColumns: DataTableColumn<ConsoleLedgerEntry>[] = [
  { id: "when", header: "When", className: "whitespace-nowrap", cell: (l) => <LocalTime value={l.createdAt} /> },
  {
    id: "kind",
    header: "Entry",
    rowHeader: true,
    className: "whitespace-nowrap",
    cell: (l) =>
      l.kind === "DEBIT" ? `Usage · ${l.requests.toLocaleString("en-US")} ${l.requests === 1 ? "request" : "requests"}` : (LEDGER_KIND[l.kind] ?? l.kind),
  },
  {
    id: "amount",
    header: "Amount",
    className: "text-right font-mono whitespace-nowrap",
    cell: (l) => (l.amountMicros > 0n ? `+${formatUsd(l.amountMicros)}` : formatUsd(l.amountMicros)),
  },
  {
    id: "note",
    header: "Note",
    className: "min-w-[14rem] break-words",
    cell: (l) => (
      <>
        {l.note ?? ""}
        {l.actorEmail ? <span className="block text-xs text-muted">by {l.actorEmail}</span> : null}
      </>
    ),
  },
];

const ticketColumns: DataTableColumn<ConsoleOrderTicket>[] = [
  {
    id: "number",
    header: "Ticket",
    rowHeader: true,
    className: "font-mono whitespace-nowrap",
    cell: (t) => (
      <Link href={`/console/tickets/${t.number}`} className="underline">
        T-{t.number}
      </Link>
    ),
  },
  { id: "subject", header: "Subject", className: "min-w-[14rem] break-words", cell: (t) => t.subject },
  { id: "status", header: "Status", className: "whitespace-nowrap", cell: (t) => TICKET_STATUS[t.status] ?? t.status },
  { id: "updated", header: "Updated", className: "whitespace-nowrap", cell: (t) => <LocalTime value={t.updatedAt} /> },
];

export default async function ConsoleOrderPage({ params }: Props) {
  const user = await requireStaff();
  const { id } = await params;
  const now = new Date();
  const order = await getConsoleOrder(getDb(), id, now);
  if (!order) notFound();
  const isAdmin = user.role === "ADMIN";
  const open = order.status !== "CANCELLED" && order.status !== "REFUNDED";
  const hasCredit = order.plan.creditMicros > 0n;

  return (
    <>
      <PageHeader
        title={`Order ${order.marketplaceOrderId}`}
        description={
          <>
            {order.plan.name} for {order.customer.name}. Placed <LocalTime value={order.createdAt} dateOnly /> ({order.source.toLowerCase()}).
          </>
        }
      />
      <p className="mt-2 text-sm">
        <Link href="/console/orders" className="underline">
          Back to orders
        </Link>
      </p>

      <div className="mt-6 grid gap-6 md:grid-cols-2">
        <Card aria-labelledby="window-title">
          <CardHeader>
            <CardTitle id="window-title">Access window</CardTitle>
            <CardDescription>
              <span className="mr-2">Status:</span>
              <span data-testid="order-status">
                <OrderStatusBadge status={order.status} />
              </span>
            </CardDescription>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-muted">Starts</dt>
              <dd>
                <LocalTime value={order.accessStart} />
              </dd>
              <dt className="text-muted">Ends</dt>
              <dd data-testid="access-end">
                <LocalTime value={order.accessEnd} />
              </dd>
              <dt className="text-muted">Remaining</dt>
              <dd>
                {open ? (
                  <RemainingTime start={order.accessStart.toISOString()} end={order.accessEnd.toISOString()} serverNow={now.getTime()} />
                ) : (
                  <>
                    None: {order.status.toLowerCase()}
                    {order.endedAt ? (
                      <>
                        {" "}
                        <LocalTime value={order.endedAt} />
                      </>
                    ) : null}
                  </>
                )}
              </dd>
              <dt className="text-muted">Buyer</dt>
              <dd className="break-words">{order.customer.emails.join(", ") || <span className="text-muted">No user</span>}</dd>
              <dt className="text-muted">Models</dt>
              <dd className="break-words">{order.plan.models.join(", ")}</dd>
              <dt className="text-muted">Rate limit</dt>
              <dd>
                {order.plan.rpm} requests a minute{order.plan.tpm ? `, ${order.plan.tpm.toLocaleString("en-US")} tokens a minute` : ""}
              </dd>
            </dl>
          </CardContent>
        </Card>

        <Card aria-labelledby="usage-title">
          <CardHeader>
            <CardTitle id="usage-title">Balance and usage</CardTitle>
            <CardDescription>Usage from the daily totals, all keys of the order.</CardDescription>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-muted">Balance</dt>
              <dd data-testid="balance">{hasCredit ? formatUsd(order.balanceMicros) : "No credit: limited by time and rate only"}</dd>
              <dt className="text-muted">Requests</dt>
              <dd>
                {order.usage.requests.toLocaleString("en-US")}
                {order.usage.errors ? ` (${order.usage.errors.toLocaleString("en-US")} failed)` : ""}
              </dd>
              <dt className="text-muted">Tokens</dt>
              <dd>
                {order.usage.inputTokens.toLocaleString("en-US")} in, {order.usage.outputTokens.toLocaleString("en-US")} out
              </dd>
              <dt className="text-muted">Spent</dt>
              <dd>{formatUsd(order.usage.costMicros)}</dd>
              <dt className="text-muted">Last use</dt>
              <dd>{order.usage.lastUsedAt ? <LocalTime value={order.usage.lastUsedAt} /> : <span className="text-muted">Never</span>}</dd>
            </dl>
          </CardContent>
        </Card>
      </div>

      <section aria-labelledby="changes-title" className="mt-8">
        <h2 id="changes-title" className="text-lg font-semibold">
          Change the order
        </h2>
        {!isAdmin ? (
          <p className="mt-2 text-sm text-muted">Only admins can change an order&apos;s window, credit or state.</p>
        ) : !open ? (
          <p className="mt-2 text-sm text-muted">This order was {order.status.toLowerCase()}: nothing about it can change any more.</p>
        ) : (
          <>
            <p className="mt-1 max-w-prose text-sm text-muted">
              Each change needs a reason, is recorded in the audit log with your name, and applies to the key at once.
            </p>
            <div className="mt-4 grid gap-6 lg:grid-cols-3">
              <Card aria-labelledby="window-change-title">
                <CardHeader>
                  <CardTitle as="h3" id="window-change-title">
                    Access window
                  </CardTitle>
                  <CardDescription>Moves the end; a window shortened into the past ends access now.</CardDescription>
                </CardHeader>
                <CardContent>
                  <WindowForm orderId={order.id} />
                </CardContent>
              </Card>
              <Card aria-labelledby="credit-change-title">
                <CardHeader>
                  <CardTitle as="h3" id="credit-change-title">
                    Credit
                  </CardTitle>
                  <CardDescription>
                    {hasCredit ? "An adjustment in the ledger. A removal cannot exceed the balance." : "The plan has no credit to adjust."}
                  </CardDescription>
                </CardHeader>
                {hasCredit ? (
                  <CardContent>
                    <CreditForm orderId={order.id} />
                  </CardContent>
                ) : null}
              </Card>
              <Card aria-labelledby="cancel-title">
                <CardHeader>
                  <CardTitle as="h3" id="cancel-title">
                    Cancel
                  </CardTitle>
                  <CardDescription>Ends access and the remaining credit now.</CardDescription>
                </CardHeader>
                <CardContent>
                  <CancelForm orderId={order.id} marketplaceOrderId={order.marketplaceOrderId} />
                </CardContent>
              </Card>
            </div>
          </>
        )}
      </section>

      <section aria-labelledby="keys-title" className="mt-8">
        <h2 id="keys-title" className="text-lg font-semibold">
          Keys
        </h2>
        <DataTable
          label="Keys of the order"
          className="mt-3"
          minWidth="min-w-[44rem]"
          columns={keyColumns}
          rows={order.keys}
          rowKey={(k) => k.id}
          empty={<p className="text-sm text-muted">This order has no key.</p>}
        />
      </section>

      <section aria-labelledby="ledger-title" className="mt-8">
        <h2 id="ledger-title" className="text-lg font-semibold">
          Ledger
        </h2>
        <p className="mt-1 text-sm text-muted">
          {order.moreLedger
            ? `The newest ${order.ledger.length} entries: one per paid request, plus credits and adjustments.`
            : "Every credit and debit of the order, newest first."}
        </p>
        <DataTable
          label="Ledger entries"
          className="mt-3"
          minWidth="min-w-[36rem]"
          columns={ledgerColumns}
          rows={order.ledger}
          rowKey={(l) => l.id}
          empty={<p className="text-sm text-muted">No entries yet.</p>}
        />
      </section>

      <section aria-labelledby="tickets-title" className="mt-8">
        <h2 id="tickets-title" className="text-lg font-semibold">
          Tickets
        </h2>
        <DataTable
          label="Tickets about the order"
          className="mt-3"
          minWidth="min-w-[36rem]"
          columns={ticketColumns}
          rows={order.tickets}
          rowKey={(t) => t.id}
          empty={<p className="text-sm text-muted">No tickets about this order.</p>}
        />
      </section>
    </>
  );
}
