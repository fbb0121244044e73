import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { RequestStatus } from "@/components/console/request-status";
import { LocalTime } from "@/components/local-time";
import { DataTable, listHref, type DataTableColumn } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";
import { formatUsd } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { cleanRequestId, findRequestId, listRequests, REQUEST_FILTERS, requestListQuerySchema, type RequestSummary } from "@/lib/requests";

export const metadata: Metadata = { title: "Requests" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const field = "h-9 w-full rounded-md border border-border bg-background px-3 text-sm";

const columns: DataTableColumn<RequestSummary>[] = [
  { id: "when", header: "When", sortKey: "time", firstDir: "desc", className: "whitespace-nowrap", cell: (r) => <LocalTime value={r.createdAt} /> },
  {
    id: "request",
    header: "Request id",
    rowHeader: true,
    className: "font-mono text-xs whitespace-nowrap",
    cell: (r) => (
      <Link href={`/console/requests/${encodeURIComponent(r.requestId)}`} className="underline underline-offset-2">
        {r.requestId}
      </Link>
    ),
  },
  { id: "status", header: "Status", cell: (r) => <RequestStatus status={r.status} errorCode={r.errorCode} /> },
  {
    id: "key",
    header: "Key",
    className: "font-mono text-xs whitespace-nowrap",
    cell: (r) =>
      r.apiKeyId ? (
        <Link href={`/console/keys/${r.apiKeyId}`} className="underline underline-offset-2">
          …{r.keyLastFour}
        </Link>
      ) : (
        "—"
      ),
  },
  {
    id: "model",
    header: "Endpoint and model",
    className: "text-xs",
    cell: (r) => (
      <>
        <span className="font-mono">{r.model ?? "—"}</span>
        <span className="block text-muted">
          {r.endpoint}
          {r.stream ? " · stream" : ""}
        </span>
      </>
    ),
  },
  { id: "tokens", header: "Tokens in / out", className: "whitespace-nowrap text-xs", cell: (r) => `${r.inputTokens} / ${r.outputTokens}` },
  { id: "cost", header: "Cost", className: "whitespace-nowrap", cell: (r) => formatUsd(r.costMicros) },
  { id: "latency", header: "Latency", className: "whitespace-nowrap text-xs", cell: (r) => `${r.latencyMs} ms` },
];

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function ConsoleRequestsPage({ searchParams }: Props) {
  await requireStaff();
  const params = await searchParams;
  const db = getDb();

  // The lookup box: one request by the id a buyer quoted, straight to its page.
  const lookup = first(params.id);
  let notFoundId: string | null = null;
  if (lookup !== undefined) {
    const found = await findRequestId(db, lookup);
    if (found) redirect(`/console/requests/${encodeURIComponent(found)}`);
    notFoundId = cleanRequestId(lookup) ?? "";
  }

  const query = requestListQuerySchema.parse(params);
  const requests = await listRequests(db, { query });
  const filtered = REQUEST_FILTERS.some((name) => query[name]);

  return (
    <>
      <PageHeader
        title="Requests"
        description="The gateway's request log, newest first, 50 to a page. It holds metadata only (key, model, status, tokens, cost, timings); prompts and completions are never stored."
      />

      <form role="search" aria-label="Find a request by id" action="/console/requests" className="mt-6 flex flex-wrap items-end gap-2">
        <div className="flex min-w-0 flex-col gap-1">
          <label htmlFor="request-id" className="text-sm font-medium">
            Request id
          </label>
          <input
            id="request-id"
            name="id"
            type="search"
            defaultValue={lookup ?? ""}
            placeholder="req_…"
            maxLength={200}
            aria-describedby={notFoundId !== null ? "request-id-missing" : undefined}
            className="h-9 w-80 max-w-full rounded-md border border-border bg-background px-3 font-mono text-sm"
          />
        </div>
        <button type="submit" className="h-9 rounded-md border border-border px-3 text-sm hover:bg-surface">
          Open request
        </button>
        {notFoundId !== null ? (
          <p id="request-id-missing" role="alert" className="w-full text-sm text-danger">
            {notFoundId ? `No request with the id ${notFoundId}.` : "Enter a request id, as the error message or the x-request-id header gave it."}
          </p>
        ) : null}
      </form>

      <form role="search" aria-label="Filter the request log" action="/console/requests" className="mt-6 rounded-lg border border-border p-4">
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="dir" value={query.dir} />
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <div className="flex flex-col gap-1">
            <label htmlFor="filter-email" className="text-sm font-medium">
              Account email
            </label>
            <input id="filter-email" name="email" type="email" defaultValue={query.email ?? ""} className={field} />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor="filter-key" className="text-sm font-medium">
              Key id
            </label>
            <input id="filter-key" name="key" defaultValue={query.key ?? ""} className={`${field} font-mono`} />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor="filter-model" className="text-sm font-medium">
              Model
            </label>
            <input id="filter-model" name="model" defaultValue={query.model ?? ""} className={`${field} font-mono`} />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor="filter-status" className="text-sm font-medium">
              Status
            </label>
            <input
              id="filter-status"
              name="status"
              list="filter-status-options"
              defaultValue={query.status ?? ""}
              aria-describedby="filter-status-hint"
              className={field}
            />
            <datalist id="filter-status-options">
              <option value="success" />
              <option value="error" />
              <option value="401" />
              <option value="402" />
              <option value="429" />
              <option value="502" />
            </datalist>
            <p id="filter-status-hint" className="text-xs text-muted">
              success, error, or an HTTP status such as 429
            </p>
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor="filter-code" className="text-sm font-medium">
              Error code
            </label>
            <input id="filter-code" name="code" defaultValue={query.code ?? ""} placeholder="rate_limit_exceeded" className={`${field} font-mono`} />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor="filter-from" className="text-sm font-medium">
              From (UTC)
            </label>
            <input id="filter-from" name="from" type="datetime-local" defaultValue={query.from?.slice(0, 16) ?? ""} className={field} />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor="filter-to" className="text-sm font-medium">
              Until (UTC)
            </label>
            <input id="filter-to" name="to" type="datetime-local" defaultValue={query.to?.slice(0, 16) ?? ""} className={field} />
          </div>
          <div className="flex items-end gap-2">
            <button type="submit" className="h-9 rounded-md border border-border px-3 text-sm hover:bg-surface">
              Filter
            </button>
            {filtered ? (
              <Link href={listHref("/console/requests", { sort: query.sort, dir: query.dir })} className="inline-flex h-9 items-center px-1 text-sm underline">
                Clear
              </Link>
            ) : null}
          </div>
        </div>
      </form>

      <DataTable
        label="Requests"
        className="mt-6"
        minWidth="min-w-[64rem]"
        columns={columns}
        rows={requests.rows}
        rowKey={(r) => r.id}
        list={{ pathname: "/console/requests", state: query, nextCursor: requests.nextCursor }}
        empty={<p className="text-muted">{filtered ? "No requests match." : "No requests yet."}</p>}
      />
    </>
  );
}
