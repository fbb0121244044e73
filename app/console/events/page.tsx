import type { Metadata } from "next";
import { LocalTime } from "@/components/local-time";
import { DataTable, type DataTableColumn } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { failedEventListQuerySchema, listFailedWebhookEventsPage, type FailedWebhookEvent } from "@/lib/marketplace";
import { ReplayForm } from "./replay-form";

export const metadata: Metadata = { title: "Marketplace events" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const columns: DataTableColumn<FailedWebhookEvent>[] = [
  {
    id: "received",
    header: "Received",
    sortKey: "received",
    firstDir: "asc",
    className: "whitespace-nowrap",
    cell: (e) => <LocalTime value={e.receivedAt} />,
  },
  {
    id: "event",
    header: "Event",
    rowHeader: true,
    className: "whitespace-nowrap",
    cell: (e) => (
      <>
        <span className="font-mono">{e.eventType}</span>
        <span className="block font-mono text-xs text-muted">{e.orderRef}</span>
      </>
    ),
  },
  { id: "reason", header: "Why it was not applied", className: "min-w-[16rem] break-words", cell: (e) => e.reason ?? "" },
  { id: "attempts", header: "Tries", className: "text-right", cell: (e) => e.attempts },
  { id: "replay", header: "Replay", cell: (e) => <ReplayForm eventId={e.id} label={`${e.eventType} for ${e.orderRef}`} /> },
];

export default async function ConsoleEventsPage({ searchParams }: Props) {
  await requireAdmin();
  const query = failedEventListQuerySchema.parse(await searchParams);
  const events = await listFailedWebhookEventsPage(getDb(), { query });
  return (
    <>
      <PageHeader
        title="Marketplace events"
        description="Signed events from the marketplace that could not be applied, oldest first, with the reason. Fix the cause (add the missing plan, wait for the order), then replay the event. Replays are recorded in the audit log."
      />
      <DataTable
        label="Events not applied"
        className="mt-6"
        minWidth="min-w-[48rem]"
        columns={columns}
        rows={events.rows}
        rowKey={(e) => e.id}
        list={{ pathname: "/console/events", state: query, nextCursor: events.nextCursor }}
        empty={<p className="text-muted">Every event received has been applied.</p>}
      />
    </>
  );
}
