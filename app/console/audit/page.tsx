import type { Metadata } from "next";
import { LocalTime } from "@/components/local-time";
import { DataTable, ListFilter, type DataTableColumn } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { auditListQuerySchema, listAuditEntries, type AuditEntrySummary } from "@/lib/audit";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";

export const metadata: Metadata = { title: "Audit log" };

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
      <PageHeader title="Audit log" description="Newest first, 50 entries to a page. The log is append-only: nothing here can be edited or deleted." />
      <ListFilter pathname="/console/audit" state={query} id="audit-query" label="Search by action, target id or actor email" />
      <DataTable
        label="Audit log entries"
        className="mt-6"
        minWidth="min-w-[64rem]"
        columns={columns}
        rows={entries.rows}
        rowKey={(entry) => entry.id}
        list={{ pathname: "/console/audit", state: query, nextCursor: entries.nextCursor }}
        empty={<p className="text-muted">{query.q ? "No entries match." : "Nothing recorded yet."}</p>}
      />
    </>
  );
}
