import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { TicketStatusBadge } from "@/components/tickets/ticket-badges";
import { ButtonLink } from "@/components/ui/button";
import { DataTable, type DataTableColumn } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { buyerTicketQuerySchema, CATEGORY_LABELS, formatTicketNumber, listBuyerTickets, type BuyerTicketSummary } from "@/lib/tickets";

export const metadata: Metadata = { title: "Support" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SupportPage({ searchParams }: Props) {
  const user = await requireUser();
  const query = buyerTicketQuerySchema.parse(await searchParams);
  const tickets = user.customerId ? await listBuyerTickets(getDb(), { customerId: user.customerId, query }) : { rows: [], nextCursor: null };

  const columns: DataTableColumn<BuyerTicketSummary>[] = [
    {
      id: "ticket",
      header: "Ticket",
      rowHeader: true,
      className: "break-words",
      cell: (t) => (
        <>
          <Link href={`/support/${t.number}`} className="font-medium underline">
            {formatTicketNumber(t.number)}: {t.subject}
          </Link>
          <span className="block text-xs text-muted">
            {CATEGORY_LABELS[t.category]}
            {t.orderLabel ? ` · Order ${t.orderLabel}` : ""}
          </span>
        </>
      ),
    },
    { id: "status", header: "Status", cell: (t) => <TicketStatusBadge status={t.status} forBuyer /> },
    {
      id: "activity",
      header: "Last activity",
      sortKey: "activity",
      firstDir: "desc",
      className: "whitespace-nowrap",
      cell: (t) => <LocalTime value={t.lastActivityAt} />,
    },
    { id: "age", header: "Opened", sortKey: "age", firstDir: "desc", className: "whitespace-nowrap", cell: (t) => <LocalTime value={t.createdAt} dateOnly /> },
  ];

  return (
    <>
      <PageHeader
        title="Support"
        description="Ask about an order, a key or a failed request. Replies arrive here and by email."
        actions={user.customerId ? <ButtonLink href="/support/new">New ticket</ButtonLink> : null}
      />
      {user.role !== "BUYER" ? (
        <p className="mt-4 text-sm">
          Staff answer tickets in the{" "}
          <Link href="/console/tickets" className="underline">
            console
          </Link>
          .
        </p>
      ) : null}
      <p className="mt-2 text-sm text-muted">
        Before you write: the{" "}
        <Link href="/faq" className="underline">
          FAQ
        </Link>{" "}
        explains every error code, and the{" "}
        <Link href="/setup" className="underline">
          setup guide
        </Link>{" "}
        has snippets for each client.
      </p>
      <DataTable
        label="Your tickets"
        className="mt-6"
        minWidth="min-w-[36rem]"
        columns={columns}
        rows={tickets.rows}
        rowKey={(t) => t.id}
        list={{ pathname: "/support", state: query, nextCursor: tickets.nextCursor }}
        empty={<p className="text-muted">No tickets yet. When something does not work, open one and we will answer here.</p>}
      />
    </>
  );
}
