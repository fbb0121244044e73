import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LocalTime } from "@/components/local-time";
import { OrderStatusBadge } from "@/components/order-status-badge";
import { TicketStatusBadge } from "@/components/tickets/ticket-badges";
import { TicketThread } from "@/components/tickets/ticket-thread";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { CATEGORY_LABELS, formatTicketNumber, getBuyerTicket, parseTicketNumber } from "@/lib/tickets";
import { BuyerReplyForm, CloseTicketForm } from "./ticket-forms";

export const metadata: Metadata = { title: "Ticket" };
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ number: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function BuyerTicketPage({ params, searchParams }: Props) {
  const user = await requireUser();
  const number = parseTicketNumber((await params).number);
  // Staff read tickets in the console; a buyer sees only their own account's (404 otherwise).
  if (number === null || !user.customerId) notFound();
  const ticket = await getBuyerTicket(getDb(), { customerId: user.customerId, number });
  if (!ticket) notFound();
  const opened = (await searchParams).opened === "1";
  const closed = ticket.status === "CLOSED";

  return (
    <>
      <PageHeader title={`${formatTicketNumber(ticket.number)}: ${ticket.subject}`} description={CATEGORY_LABELS[ticket.category]} />
      <p className="mt-2 text-sm">
        <Link href="/support" className="underline">
          Back to your tickets
        </Link>
      </p>
      {opened ? (
        <p role="status" className="mt-4 rounded-md border border-success/40 bg-success/10 p-3 text-sm">
          Ticket {formatTicketNumber(ticket.number)} is open. Support answers here and by email; quote the number if you write to us elsewhere.
        </p>
      ) : null}
      <dl className="mt-6 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="text-muted">Status</dt>
        <dd data-testid="ticket-status">
          <TicketStatusBadge status={ticket.status} forBuyer />
        </dd>
        <dt className="text-muted">Opened</dt>
        <dd>
          <LocalTime value={ticket.createdAt} />
        </dd>
        {ticket.order ? (
          <>
            <dt className="text-muted">Order</dt>
            <dd className="flex flex-wrap items-center gap-2">
              <Link href={`/orders/${ticket.order.id}`} className="underline">
                {ticket.order.marketplaceOrderId}
              </Link>
              <OrderStatusBadge status={ticket.order.status} />
            </dd>
          </>
        ) : null}
        {ticket.requests.length > 0 ? (
          <>
            <dt className="text-muted">Requests</dt>
            <dd>
              <ul className="flex flex-col gap-1">
                {ticket.requests.map((r) => (
                  <li key={r.requestId}>
                    <Link href={`/usage/requests/${r.requestId}`} className="font-mono break-all underline">
                      {r.requestId}
                    </Link>{" "}
                    <span className="text-muted">
                      {r.status}
                      {r.errorCode ? ` ${r.errorCode}` : ""} · {r.model ?? "no model"}
                    </span>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
      </dl>
      <section aria-labelledby="thread-title" className="mt-8">
        <h2 id="thread-title" className="mb-3 text-lg font-semibold">
          Conversation
        </h2>
        <TicketThread messages={ticket.messages} />
      </section>
      <section aria-labelledby="reply-title" className="mt-8 max-w-2xl">
        <h2 id="reply-title" className="mb-3 text-lg font-semibold">
          {closed ? "This ticket is closed" : "Reply"}
        </h2>
        {closed ? (
          <p className="text-sm">
            Closed tickets take no more replies.{" "}
            <Link href={`/support/new${ticket.order ? `?order=${ticket.order.id}` : ""}`} className="underline">
              Open a new ticket
            </Link>{" "}
            and mention {formatTicketNumber(ticket.number)}.
          </p>
        ) : (
          <div className="flex flex-col gap-6">
            <BuyerReplyForm number={ticket.number} reopens={ticket.status === "WAITING_ON_CUSTOMER" || ticket.status === "RESOLVED"} />
            <div className="border-t border-border pt-4">
              <p className="mb-2 text-sm text-muted">Sorted out? Close the ticket so support knows.</p>
              <CloseTicketForm number={ticket.number} />
            </div>
          </div>
        )}
      </section>
    </>
  );
}
