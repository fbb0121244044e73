import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { TicketPriorityBadge, TicketStatusBadge } from "@/components/tickets/ticket-badges";
import { Badge } from "@/components/ui/badge";
import { DataTable, type DataTableColumn } from "@/components/ui/data-table";
import { fieldClassName } from "@/components/ui/form-field";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";
import { getDb } from "@/lib/db";
import {
  CATEGORY_LABELS,
  formatTicketNumber,
  listTicketAgents,
  listTicketQueue,
  PRIORITY_LABELS,
  STATUS_LABELS,
  TICKET_CATEGORIES,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  ticketQueueQuerySchema,
  type QueueTicket,
  type TicketQueueQuery,
} from "@/lib/tickets";

export const metadata: Metadata = { title: "Tickets" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function Select({ id, label, name, value, options }: { id: string; label: string; name: string; value: string; options: [string, string][] }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <select id={id} name={name} defaultValue={value} className={`${fieldClassName} h-9`}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The queue's filters: a GET form, so every filter is in the URL and the list starts again at its first page. */
function QueueFilters({ query, agents }: { query: TicketQueueQuery; agents: { id: string; label: string }[] }) {
  return (
    <form role="search" action="/console/tickets" className="mt-6 flex flex-wrap items-end gap-3" aria-label="Filter tickets">
      <input type="hidden" name="sort" value={query.sort} />
      <input type="hidden" name="dir" value={query.dir} />
      <div className="flex min-w-0 flex-col gap-1">
        <label htmlFor="ticket-q" className="text-sm font-medium">
          Ticket, email, order or request id
        </label>
        <input id="ticket-q" name="q" type="search" defaultValue={query.q} maxLength={200} className={`${fieldClassName} h-9 w-72 max-w-full`} />
      </div>
      <Select
        id="ticket-status"
        label="Status"
        name="status"
        value={query.status}
        options={[["active", "Needs work (open, waiting)"], ["all", "All"], ...TICKET_STATUSES.map((s): [string, string] => [s, STATUS_LABELS[s]])]}
      />
      <Select
        id="ticket-priority"
        label="Priority"
        name="priority"
        value={query.priority}
        options={[["", "Any"], ...TICKET_PRIORITIES.map((p): [string, string] => [p, PRIORITY_LABELS[p]])]}
      />
      <Select
        id="ticket-category"
        label="Category"
        name="category"
        value={query.category}
        options={[["", "Any"], ...TICKET_CATEGORIES.map((c): [string, string] => [c, CATEGORY_LABELS[c]])]}
      />
      <Select
        id="ticket-assignee"
        label="Assignee"
        name="assignee"
        value={query.assignee}
        options={[["", "Anyone"], ["me", "Mine"], ["none", "Unassigned"], ...agents.map((a): [string, string] => [a.id, a.label])]}
      />
      <button type="submit" className="h-9 rounded-md border border-border px-3 text-sm hover:bg-surface">
        Apply
      </button>
      <Link href="/console/tickets" className="inline-flex h-9 items-center px-1 text-sm underline">
        Reset
      </Link>
    </form>
  );
}

export default async function TicketQueuePage({ searchParams }: Props) {
  const user = await requireStaff();
  const db = getDb();
  const query = ticketQueueQuerySchema.parse(await searchParams);
  const [tickets, agents] = await Promise.all([listTicketQueue(db, { query, userId: user.id }), listTicketAgents(db)]);

  const columns: DataTableColumn<QueueTicket>[] = [
    {
      id: "ticket",
      header: "Ticket",
      rowHeader: true,
      className: "break-words",
      cell: (t) => (
        <>
          <Link href={`/console/tickets/${t.number}`} className="font-medium underline">
            {formatTicketNumber(t.number)}: {t.subject}
          </Link>
          <span className="block text-xs text-muted">
            {t.buyerEmail} · {CATEGORY_LABELS[t.category]}
            {t.orderLabel ? ` · ${t.orderLabel}` : ""}
          </span>
        </>
      ),
    },
    {
      id: "status",
      header: "Status",
      cell: (t) => (
        <span className="flex flex-wrap gap-1">
          <TicketStatusBadge status={t.status} />
          <TicketPriorityBadge priority={t.priority} />
        </span>
      ),
    },
    {
      id: "due",
      header: "First response",
      sortKey: "due",
      firstDir: "asc",
      className: "whitespace-nowrap",
      cell: (t) =>
        t.firstResponseAt ? (
          <span className="text-muted">Answered</span>
        ) : t.overdue ? (
          <span className="flex flex-col gap-0.5">
            <Badge tone="danger" className="self-start">
              Overdue
            </Badge>
            <span className="text-xs">
              due <LocalTime value={t.firstResponseDueAt} />
            </span>
          </span>
        ) : (
          <span>
            due <LocalTime value={t.firstResponseDueAt} />
          </span>
        ),
    },
    { id: "assignee", header: "Assignee", cell: (t) => t.assignee ?? <span className="text-muted">Unassigned</span> },
    { id: "age", header: "Opened", sortKey: "age", firstDir: "asc", className: "whitespace-nowrap", cell: (t) => <LocalTime value={t.createdAt} /> },
    {
      id: "activity",
      header: "Last activity",
      sortKey: "activity",
      firstDir: "desc",
      className: "whitespace-nowrap",
      cell: (t) => <LocalTime value={t.lastActivityAt} />,
    },
  ];

  return (
    <>
      <PageHeader
        title="Tickets"
        description="Buyers' questions, soonest first-response due first. Overdue tickets have passed the first-response target without a reply."
      />
      <QueueFilters query={query} agents={agents} />
      <DataTable
        label="Tickets"
        className="mt-6"
        minWidth="min-w-[56rem]"
        columns={columns}
        rows={tickets.rows}
        rowKey={(t) => t.id}
        list={{ pathname: "/console/tickets", state: query, nextCursor: tickets.nextCursor }}
        empty={<p className="text-muted">No tickets match these filters.</p>}
      />
    </>
  );
}
