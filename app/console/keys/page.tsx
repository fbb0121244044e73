import type { Metadata } from "next";
import Link from "next/link";
import { KeyStatusBadge } from "@/components/console/key-status-badge";
import { LocalTime } from "@/components/local-time";
import { DataTable, listHref, type DataTableColumn } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";
import { formatUsd } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { KEY_STATUSES, keyListQuerySchema, listConsoleKeys, type ConsoleKeySummary } from "@/lib/keys";

export const metadata: Metadata = { title: "Keys" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const STATUS_LABELS = { ACTIVE: "Active", DISABLED: "Disabled", REPLACED: "Replaced", DELETED: "Deleted" } as const;

function limitsText(key: ConsoleKeySummary): string {
  const parts = [
    key.modelScope.length ? `${key.modelScope.length} model${key.modelScope.length === 1 ? "" : "s"}` : "all plan models",
    key.spendLimitMicros !== null ? `${formatUsd(key.spendLimitMicros)}/${key.spendLimitPeriod.toLowerCase()}` : null,
    key.ipAllowlist.length ? `${key.ipAllowlist.length} IP range${key.ipAllowlist.length === 1 ? "" : "s"}` : null,
    key.rpmLimit !== null ? `${key.rpmLimit} rpm` : null,
    key.tpmLimit !== null ? `${key.tpmLimit} tpm` : null,
  ];
  return parts.filter(Boolean).join(" · ");
}

const columns: DataTableColumn<ConsoleKeySummary>[] = [
  {
    id: "key",
    header: "Key",
    rowHeader: true,
    className: "whitespace-nowrap",
    cell: (key) => (
      <Link href={`/console/keys/${key.id}`} className="font-mono underline underline-offset-2">
        {key.mask}
      </Link>
    ),
  },
  { id: "status", header: "Status", cell: (key) => <KeyStatusBadge status={key.status} display={key.display} /> },
  {
    id: "order",
    header: "Order",
    className: "break-words",
    cell: (key) => (
      <>
        <span className="font-mono">{key.marketplaceOrderId}</span>
        <span className="block text-xs text-muted">{key.emails[0] ?? key.customerName}</span>
      </>
    ),
  },
  { id: "limits", header: "Scope and limits", className: "text-xs", cell: limitsText },
  {
    id: "used",
    header: "Last use",
    className: "whitespace-nowrap",
    cell: (key) => (key.lastUsedAt ? <LocalTime value={key.lastUsedAt} /> : <span className="text-muted">Never</span>),
  },
  {
    id: "created",
    header: "Created",
    sortKey: "created",
    firstDir: "desc",
    className: "whitespace-nowrap",
    cell: (key) => <LocalTime value={key.createdAt} dateOnly />,
  },
];

export default async function ConsoleKeysPage({ searchParams }: Props) {
  await requireStaff();
  const query = keyListQuerySchema.parse(await searchParams);
  const keys = await listConsoleKeys(getDb(), { query });
  const filtered = Boolean(query.q || query.status);
  return (
    <>
      <PageHeader
        title="Keys"
        description="Buyers' API keys, newest first. Open one to rotate, disable, enable or delete it, or to change its limits; every act is audited. Keys themselves are never shown: only their last four characters."
      />
      <form role="search" action="/console/keys" className="mt-6 flex flex-wrap items-end gap-2">
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="dir" value={query.dir} />
        <div className="flex min-w-0 flex-col gap-1">
          <label htmlFor="key-query" className="text-sm font-medium">
            Last four, key id, email or order id
          </label>
          <input
            id="key-query"
            name="q"
            type="search"
            defaultValue={query.q}
            maxLength={200}
            className="h-9 w-72 max-w-full rounded-md border border-border bg-background px-3 text-sm"
          />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="key-status" className="text-sm font-medium">
            Status
          </label>
          <select id="key-status" name="status" defaultValue={query.status ?? ""} className="h-9 rounded-md border border-border bg-background px-2 text-sm">
            <option value="">Any</option>
            {KEY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="h-9 rounded-md border border-border px-3 text-sm hover:bg-surface">
          Search
        </button>
        {filtered ? (
          <Link href={listHref("/console/keys", { sort: query.sort, dir: query.dir })} className="inline-flex h-9 items-center px-1 text-sm underline">
            Clear
          </Link>
        ) : null}
      </form>
      <DataTable
        label="Keys"
        className="mt-6"
        minWidth="min-w-[52rem]"
        columns={columns}
        rows={keys.rows}
        rowKey={(key) => key.id}
        list={{ pathname: "/console/keys", state: query, nextCursor: keys.nextCursor }}
        empty={<p className="text-muted">{filtered ? "No keys match." : "No keys yet."}</p>}
      />
    </>
  );
}
