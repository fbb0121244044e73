import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { DataTable, ListFilter, type DataTableColumn } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";
import { formatUsd } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { listPlans, planListQuerySchema, type PlanSummary } from "@/lib/plans";

export const metadata: Metadata = { title: "Plans" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const columns: DataTableColumn<PlanSummary>[] = [
  {
    id: "name",
    header: "Plan",
    sortKey: "name",
    rowHeader: true,
    className: "min-w-56",
    cell: (p) => (
      <>
        <Link href={`/console/plans/${p.id}`} className="font-medium underline-offset-2 hover:underline">
          {p.name}
        </Link>
        {p.active ? null : (
          <Badge tone="neutral" className="ml-2">
            Not on sale
          </Badge>
        )}
        {p.description ? <span className="block text-xs text-muted">{p.description}</span> : null}
      </>
    ),
  },
  { id: "models", header: "Models", cell: (p) => <span title={p.models.join(", ")}>{p.models.length}</span> },
  { id: "days", header: "Days", cell: (p) => p.durationDays },
  {
    id: "limits",
    header: "Limits per key",
    className: "whitespace-nowrap",
    cell: (p) => `${p.rpm} rpm${p.tpm ? `, ${p.tpm.toLocaleString("en-US")} tpm` : ""}`,
  },
  { id: "credit", header: "Credit", className: "whitespace-nowrap", cell: (p) => (p.creditMicros > 0n ? formatUsd(p.creditMicros) : "None") },
  { id: "multiplier", header: "Multiplier", cell: (p) => `${p.multiplierBps / 10_000}×` },
  { id: "keys", header: "Keys", cell: (p) => p.maxKeysPerOrder },
  { id: "rotate", header: "Self-rotation", cell: (p) => (p.selfRotate ? "Yes" : "No") },
  { id: "orders", header: "Orders", cell: (p) => p.orders },
];

export default async function ConsolePlansPage({ searchParams }: Props) {
  await requireAdmin();
  const query = planListQuerySchema.parse(await searchParams);
  const plans = await listPlans(getDb(), { query });
  return (
    <>
      <PageHeader
        title="Plans"
        description="What is sold: models, duration, limits and credit. Changes apply to new requests at once and are recorded in the audit log."
        actions={<ButtonLink href="/console/plans/new">New plan</ButtonLink>}
      />
      <ListFilter pathname="/console/plans" state={query} id="plan-query" label="Search by name" />
      <DataTable
        label="Plans"
        className="mt-6"
        minWidth="min-w-[56rem]"
        columns={columns}
        rows={plans.rows}
        rowKey={(p) => p.id}
        list={{ pathname: "/console/plans", state: query, nextCursor: plans.nextCursor }}
        empty={<p className="text-muted">{query.q ? "No plans match." : "No plans yet."}</p>}
      />
    </>
  );
}
