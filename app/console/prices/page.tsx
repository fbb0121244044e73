import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { ButtonLink } from "@/components/ui/button";
import { DataTable, ListFilter, type DataTableColumn } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";
import { formatUsd } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { listPrices, priceListQuerySchema, type PriceSummary } from "@/lib/prices";

export const metadata: Metadata = { title: "Prices" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const PROVIDER_LABELS = { OPENAI: "OpenAI", ANTHROPIC: "Anthropic", GEMINI: "Gemini" } as const;
const money = (micros: number | null) => (micros === null ? <span className="text-muted">as input</span> : formatUsd(micros));

const columns: DataTableColumn<PriceSummary>[] = [
  {
    id: "model",
    header: "Model",
    sortKey: "model",
    rowHeader: true,
    cell: (p) => (
      <>
        <Link href={`/console/prices/${p.id}`} className="font-mono break-all underline-offset-2 hover:underline">
          {p.model}
        </Link>
        {p.displayName ? <span className="block text-xs text-muted">{p.displayName}</span> : null}
      </>
    ),
  },
  { id: "provider", header: "Provider", cell: (p) => PROVIDER_LABELS[p.provider] },
  { id: "input", header: "Input", className: "whitespace-nowrap tabular-nums", cell: (p) => formatUsd(p.inputMicrosPerM) },
  { id: "output", header: "Output", className: "whitespace-nowrap tabular-nums", cell: (p) => formatUsd(p.outputMicrosPerM) },
  { id: "cache-read", header: "Cache read", className: "whitespace-nowrap tabular-nums", cell: (p) => money(p.cacheReadMicrosPerM) },
  { id: "cache-write", header: "Cache write", className: "whitespace-nowrap tabular-nums", cell: (p) => money(p.cacheWriteMicrosPerM) },
  { id: "updated", header: "Changed", className: "whitespace-nowrap", cell: (p) => <LocalTime value={p.updatedAt} dateOnly /> },
];

export default async function ConsolePricesPage({ searchParams }: Props) {
  await requireAdmin();
  const query = priceListQuerySchema.parse(await searchParams);
  const prices = await listPrices(getDb(), { query });
  return (
    <>
      <PageHeader
        title="Prices"
        description="What each model costs, in USD per million tokens, before the plan's multiplier. A change applies to new requests at once."
        actions={<ButtonLink href="/console/prices/new">Add a price</ButtonLink>}
      />
      <ListFilter pathname="/console/prices" state={query} id="price-query" label="Search by model" />
      <DataTable
        label="Model prices per million tokens"
        className="mt-6"
        minWidth="min-w-[48rem]"
        columns={columns}
        rows={prices.rows}
        rowKey={(p) => p.id}
        list={{ pathname: "/console/prices", state: query, nextCursor: prices.nextCursor }}
        empty={<p className="text-muted">{query.q ? "No prices match." : "No prices yet."}</p>}
      />
    </>
  );
}
