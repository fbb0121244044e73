import type { Metadata } from "next";
import { LocalTime } from "@/components/local-time";
import { ButtonLink } from "@/components/ui/button";
import { DataTable, listHref, ListFilters, type DataTableColumn, type ListFilterField } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { auditListQuerySchema, listAuditEntries, type AuditEntrySummary } from "@/lib/audit";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

const filters: ListFilterField[] = [
  { name: "actor", label: "Actor", hint: "Email, or cli, webhook, system" },
  { name: "action", label: "Action", hint: "Such as order.extended" },
  { name: "target", label: "Target", hint: "An id, or a type such as order" },
  { name: "from", label: "From (UTC day)", type: "date" },
  { name: "to", label: "To (UTC day)", type: "date" },
];

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const columns: DataTableColumn<AuditEntrySummary>[] = [
  { id: "when", header: "When", sortKey: "time", firstDir: "desc", className: "whitespace-nowrap", cell: (entry) => <LocalTime value={entry.createdAt} /> },
  {
    id: "actor",
    header: "Actor",
    // Widths keep short words ("system") whole: break-all alone lets the long details squeeze a column to one letter.
    className: "min-w-[11rem] break-words",
    cell: (entry) => (
      <>
        {entry.actor}
        {entry.ip ? <span className="block text-xs text-muted">{entry.ip}</span> : null}
      </>
    ),
  },
  { id: "action", header: "Action", className: "font-mono", cell: (entry) => entry.action },
  { id: "target", header: "Target", className: "min-w-[12rem] font-mono break-all", cell: (entry) => `${entry.targetType} ${entry.targetId}` },
  { id: "details", header: "Details", className: "min-w-[18rem] max-w-md font-mono text-xs break-all", cell: (entry) => entry.details },
];

export default async function ConsoleAuditPage({ searchParams }: Props) {
  await requireAdmin();
  const query = auditListQuerySchema.parse(await searchParams);
  const entries = await listAuditEntries(getDb(), { query });
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Newest first, 50 entries to a page. The log is append-only: nothing here can be edited or deleted, and the database refuses it too."
        actions={
          <ButtonLink href={listHref("/console/audit/export", { ...query, cursor: null })} variant="secondary" size="sm" prefetch={false} download>
            Download CSV
          </ButtonLink>
        }
      />
      <ListFilters pathname="/console/audit" state={query} fields={filters} idPrefix="audit" label="Filter the audit log" />
      <DataTable
        label="Audit log entries"
        className="mt-6"
        minWidth="min-w-[64rem]"
        columns={columns}
        rows={entries.rows}
        rowKey={(entry) => entry.id}
        list={{ pathname: "/console/audit", state: query, nextCursor: entries.nextCursor }}
        empty={
          <p className="text-muted">
            {query.q || query.actor || query.action || query.target || query.from || query.to ? "No entries match." : "Nothing recorded yet."}
          </p>
        }
      />
    </>
  );
}
