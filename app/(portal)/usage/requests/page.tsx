import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { LocalTime } from "@/components/local-time";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { DataTable, listHref, type DataTableColumn } from "@/components/ui/data-table";
import { fieldClassName } from "@/components/ui/form-field";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";
import { formatUsd } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import {
  cleanRequestId,
  getCustomerRequest,
  listCustomerKeys,
  listCustomerRequests,
  requestLogQuerySchema,
  type RequestLogQuery,
  type RequestLogRow,
} from "@/lib/requests";

export const metadata: Metadata = { title: "Request log" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function Filters({ query, keys }: { query: RequestLogQuery; keys: { id: string; label: string }[] }) {
  const field = `${fieldClassName} h-9`;
  return (
    <form role="search" aria-label="Filter requests" action="/usage/requests" className="mt-6 flex flex-wrap items-end gap-3">
      <input type="hidden" name="dir" value={query.dir} />
      {query.order ? <input type="hidden" name="order" value={query.order} /> : null}
      <div className="flex flex-col gap-1">
        <label htmlFor="log-key" className="text-sm font-medium">
          Key
        </label>
        <select id="log-key" name="key" defaultValue={query.key} className={field}>
          <option value="">All keys</option>
          {keys.map((k) => (
            <option key={k.id} value={k.id}>
              {k.label}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="log-model" className="text-sm font-medium">
          Model
        </label>
        <input id="log-model" name="model" defaultValue={query.model} maxLength={200} className={`${field} w-44`} />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="log-outcome" className="text-sm font-medium">
          Outcome
        </label>
        <select id="log-outcome" name="outcome" defaultValue={query.outcome} className={field}>
          <option value="">All</option>
          <option value="ok">Succeeded</option>
          <option value="error">Failed</option>
        </select>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="log-code" className="text-sm font-medium">
          Error code
        </label>
        <input id="log-code" name="code" defaultValue={query.code} maxLength={60} placeholder="e.g. rate_limited" className={`${field} w-40`} />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="log-from" className="text-sm font-medium">
          From (UTC day)
        </label>
        <input id="log-from" name="from" type="date" defaultValue={query.from} className={field} />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="log-to" className="text-sm font-medium">
          To (UTC day)
        </label>
        <input id="log-to" name="to" type="date" defaultValue={query.to} className={field} />
      </div>
      <button type="submit" className="h-9 rounded-md border border-border px-3 text-sm hover:bg-surface">
        Apply
      </button>
      <Link href="/usage/requests" className="inline-flex h-9 items-center px-1 text-sm underline">
        Reset
      </Link>
    </form>
  );
}

export default async function RequestLogPage({ searchParams }: Props) {
  const user = await requireUser();
  const params = await searchParams;
  const query = requestLogQuerySchema.parse(params);
  const db = getDb();
  if (!user.customerId) {
    return (
      <>
        <PageHeader title="Request log" />
        <p className="mt-4">{user.role === "BUYER" ? "No requests yet: the log fills once you use a key." : "Staff find requests in the console."}</p>
      </>
    );
  }

  // "Find by id": a pasted id (spaces and quotes trimmed) opens the request when it is the buyer's.
  const wanted = (typeof params.id === "string" ? cleanRequestId(params.id) : null) ?? "";
  let notFoundId: string | null = null;
  if (wanted) {
    if (await getCustomerRequest(db, { customerId: user.customerId, requestId: wanted })) redirect(`/usage/requests/${wanted}`);
    notFoundId = wanted.slice(0, 80);
  }

  const [requests, keys] = await Promise.all([listCustomerRequests(db, { customerId: user.customerId, query }), listCustomerKeys(db, user.customerId)]);
  const exportHref = listHref("/usage/requests/export", query, { cursor: null, sort: null, dir: null });

  const columns: DataTableColumn<RequestLogRow>[] = [
    { id: "time", header: "Time", sortKey: "time", firstDir: "desc", className: "whitespace-nowrap", cell: (r) => <LocalTime value={r.createdAt} /> },
    {
      id: "request",
      header: "Request",
      rowHeader: true,
      cell: (r) => (
        <>
          <Link href={`/usage/requests/${r.requestId}`} className="font-mono text-xs whitespace-nowrap underline">
            {r.requestId}
          </Link>
          <span className="block text-xs text-muted">
            {r.model ?? "no model"}
            {r.keyLastFour ? ` · key …${r.keyLastFour}` : ""}
          </span>
        </>
      ),
    },
    {
      id: "status",
      header: "Status",
      cell: (r) => <Badge tone={r.status >= 400 ? "danger" : "success"}>{`${r.status}${r.errorCode ? ` ${r.errorCode}` : ""}`}</Badge>,
    },
    {
      id: "tokens",
      header: "Tokens in / out",
      className: "whitespace-nowrap text-right",
      cell: (r) => `${r.inputTokens.toLocaleString("en-US")} / ${r.outputTokens.toLocaleString("en-US")}${r.estimated ? " (est.)" : ""}`,
    },
    { id: "cost", header: "Cost", className: "whitespace-nowrap text-right", cell: (r) => formatUsd(r.costMicros) },
    { id: "latency", header: "Time taken", className: "whitespace-nowrap text-right", cell: (r) => `${r.latencyMs.toLocaleString("en-US")} ms` },
  ];

  return (
    <>
      <PageHeader
        title="Request log"
        description="Every request made with your keys: what it was, how it ended and what it cost. Prompts and answers are never stored."
        actions={
          <ButtonLink href={exportHref} variant="secondary" prefetch={false}>
            Download CSV
          </ButtonLink>
        }
      />
      <p className="mt-2 text-sm">
        <Link href="/usage" className="underline">
          Usage overview
        </Link>
      </p>
      <form role="search" aria-label="Request id" action="/usage/requests" className="mt-6 flex flex-wrap items-end gap-2">
        <div className="flex min-w-0 flex-col gap-1">
          <label htmlFor="log-id" className="text-sm font-medium">
            Find a request by id
          </label>
          <input
            id="log-id"
            name="id"
            defaultValue={wanted}
            placeholder="req_…"
            autoComplete="off"
            spellCheck={false}
            maxLength={200}
            aria-describedby="log-id-result"
            className={`${fieldClassName} h-9 w-80 max-w-full font-mono`}
          />
        </div>
        <button type="submit" className="h-9 rounded-md border border-border px-3 text-sm hover:bg-surface">
          Find
        </button>
        <p id="log-id-result" role="status" className="w-full text-sm text-danger empty:hidden">
          {notFoundId
            ? `No request ${notFoundId} in your log. Copy the id from the x-request-id header (or request_id in an error body); new requests can take a few seconds to appear.`
            : ""}
        </p>
      </form>
      <Filters query={query} keys={keys} />
      <DataTable
        label="Requests"
        className="mt-6"
        minWidth="min-w-[52rem]"
        columns={columns}
        rows={requests.rows}
        rowKey={(r) => r.id.toString()}
        list={{ pathname: "/usage/requests", state: query, nextCursor: requests.nextCursor }}
        empty={<p className="text-muted">No requests match.</p>}
      />
    </>
  );
}
