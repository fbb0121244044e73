import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { KeyStatusBadge } from "@/components/console/key-status-badge";
import { RequestStatus } from "@/components/console/request-status";
import { LocalTime } from "@/components/local-time";
import { OrderStatusBadge } from "@/components/order-status-badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DataTable, type DataTableColumn } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";
import { formatUsd, microsToUsdNumber } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { getConsoleKey } from "@/lib/keys";
import { listRequests, requestListQuerySchema, type RequestSummary } from "@/lib/requests";
import { DeleteKeyForm, KeyEnabledForm, KeyLimitsForm, RotateKeyForm } from "./key-forms";
import { DetailRow, pathSegment } from "@/components/console/detail-row";

export const metadata: Metadata = { title: "Key" };
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

const none = <span className="text-muted">None</span>;
const PERIOD_WORDS = { DAY: "day", WEEK: "week (from Monday)", MONTH: "calendar month" } as const;

const requestColumns: DataTableColumn<RequestSummary>[] = [
  { id: "when", header: "When", className: "whitespace-nowrap", cell: (r) => <LocalTime value={r.createdAt} /> },
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
  { id: "model", header: "Model", className: "font-mono text-xs whitespace-nowrap", cell: (r) => r.model ?? "—" },
  { id: "status", header: "Status", cell: (r) => <RequestStatus status={r.status} errorCode={r.errorCode} /> },
  { id: "cost", header: "Cost", className: "whitespace-nowrap", cell: (r) => formatUsd(r.costMicros) },
];

export default async function ConsoleKeyPage({ params }: Props) {
  const user = await requireStaff();
  const { id } = await params;
  const db = getDb();
  const key = await getConsoleKey(db, pathSegment(id));
  if (!key) notFound();
  const recent = await listRequests(db, { query: requestListQuerySchema.parse({ key: key.id }), take: 10 });
  const deleted = key.status === "DELETED";
  const limitUsd = microsToUsdNumber(key.spendLimitMicros);
  const statusWord = key.status.toLowerCase();

  return (
    <>
      <p className="mb-4 text-sm">
        <Link href="/console/keys" className="underline underline-offset-2">
          ← All keys
        </Link>
      </p>
      <PageHeader
        title={
          <span className="inline-flex flex-wrap items-center gap-3">
            <span className="font-mono">{key.mask}</span>
            <KeyStatusBadge status={key.status} display={key.display} />
          </span>
        }
        description={`${key.name} · key id ${key.id}. The key itself is never shown here; the buyer keeps it, or reveals a rotated one once on their order page.`}
      />

      <div className="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card role="region" aria-labelledby="key-summary">
          <CardHeader>
            <CardTitle id="key-summary">Key</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="divide-y divide-border">
              <DetailRow term="Order">
                <Link href={`/console/orders/${key.orderId}`} className="font-mono underline underline-offset-2">
                  {key.marketplaceOrderId}
                </Link>{" "}
                <OrderStatusBadge status={key.orderStatus} />
                <span className="block text-xs text-muted">
                  <LocalTime value={key.accessStart} /> to <LocalTime value={key.accessEnd} />
                </span>
              </DetailRow>
              <DetailRow term="Account">
                {key.customerName}
                {key.emails.map((email) => (
                  <span key={email} className="block text-xs text-muted">
                    {email}
                  </span>
                ))}
              </DetailRow>
              <DetailRow term="Plan">{key.plan.name}</DetailRow>
              <DetailRow term="Model scope">
                {key.modelScope.length ? <span className="font-mono text-xs">{key.modelScope.join(", ")}</span> : "All of the plan's models"}
              </DetailRow>
              <DetailRow term="Spend limit">
                {key.spendLimitMicros !== null ? `${formatUsd(key.spendLimitMicros)} per ${PERIOD_WORDS[key.spendLimitPeriod]} (UTC)` : none}
              </DetailRow>
              <DetailRow term="IP allowlist">
                {key.ipAllowlist.length ? <span className="font-mono text-xs">{key.ipAllowlist.join(", ")}</span> : "Any address"}
              </DetailRow>
              <DetailRow term="Rate limits">
                {key.rpmLimit ?? key.plan.rpm} requests/min{key.rpmLimit !== null ? " (override)" : " (plan)"}
                {" · "}
                {(key.tpmLimit ?? key.plan.tpm) !== null ? `${key.tpmLimit ?? key.plan.tpm} tokens/min` : "no token limit"}
                {key.tpmLimit !== null ? " (override)" : key.plan.tpm !== null ? " (plan)" : ""}
              </DetailRow>
              <DetailRow term="Last use">{key.lastUsedAt ? <LocalTime value={key.lastUsedAt} /> : "Never"}</DetailRow>
              <DetailRow term="Created">
                <LocalTime value={key.createdAt} />
                {key.handedOutAt ? <span className="block text-xs text-muted">Handed out by support</span> : null}
                {key.revealedAt ? (
                  <span className="block text-xs text-muted">
                    Revealed by the buyer <LocalTime value={key.revealedAt} />
                  </span>
                ) : null}
              </DetailRow>
              {key.expiresAt ? (
                <DetailRow term="Key expires">
                  <LocalTime value={key.expiresAt} />
                </DetailRow>
              ) : null}
              {key.replacedAt ? (
                <DetailRow term="Replaced">
                  <LocalTime value={key.replacedAt} />
                  {key.validUntil ? (
                    <span className="block text-xs text-muted">
                      Works until <LocalTime value={key.validUntil} />
                    </span>
                  ) : null}
                  {key.replacedBy ? (
                    <Link href={`/console/keys/${key.replacedBy.id}`} className="block underline underline-offset-2">
                      New key …{key.replacedBy.lastFour}
                    </Link>
                  ) : null}
                </DetailRow>
              ) : null}
              {key.replaces ? (
                <DetailRow term="Replaces">
                  <Link href={`/console/keys/${key.replaces.id}`} className="underline underline-offset-2">
                    Key …{key.replaces.lastFour}
                  </Link>
                </DetailRow>
              ) : null}
              {key.disabledAt ? (
                <DetailRow term="Disabled">
                  <LocalTime value={key.disabledAt} />
                </DetailRow>
              ) : null}
              {key.deletedAt ? (
                <DetailRow term="Deleted">
                  <LocalTime value={key.deletedAt} />
                </DetailRow>
              ) : null}
            </dl>
          </CardContent>
        </Card>

        <div className="flex flex-col gap-6">
          <Card role="region" aria-labelledby="key-rotate">
            <CardHeader>
              <CardTitle id="key-rotate">Rotate</CardTitle>
              <CardDescription>A new key replaces this one; the buyer reveals it once on their order page. Limits carry over.</CardDescription>
            </CardHeader>
            <CardContent>
              <RotateKeyForm
                keyId={key.id}
                unavailable={key.status === "ACTIVE" ? undefined : `This key is ${statusWord}; only an active key can be rotated.`}
              />
            </CardContent>
          </Card>
          <Card role="region" aria-labelledby="key-enable">
            <CardHeader>
              <CardTitle id="key-enable">{key.status === "DISABLED" ? "Enable" : "Disable"}</CardTitle>
              <CardDescription>
                {key.status === "DISABLED"
                  ? "The key works again at once."
                  : "The gateway refuses a disabled key at once, on every instance, until it is enabled again."}
              </CardDescription>
            </CardHeader>
            <CardContent>
              <KeyEnabledForm
                keyId={key.id}
                enabled={key.status === "DISABLED"}
                unavailable={key.status === "ACTIVE" || key.status === "DISABLED" ? undefined : `This key is ${statusWord}.`}
              />
            </CardContent>
          </Card>
          <Card role="region" aria-labelledby="key-limits">
            <CardHeader>
              <CardTitle id="key-limits">Limits</CardTitle>
              <CardDescription>
                Within the plan: a subset of its models, a spend limit per day, week or month, an IP allowlist
                {user.role === "ADMIN" ? " and rate overrides" : ""}.
              </CardDescription>
            </CardHeader>
            <CardContent>
              <KeyLimitsForm
                keyId={key.id}
                planModels={key.plan.models}
                modelScope={key.modelScope}
                spendLimitUsd={limitUsd === null ? "" : String(limitUsd)}
                spendLimitPeriod={key.spendLimitPeriod}
                ipAllowlist={key.ipAllowlist}
                rates={user.role === "ADMIN" ? { rpm: key.rpmLimit, tpm: key.tpmLimit, planRpm: key.plan.rpm, planTpm: key.plan.tpm } : undefined}
                unavailable={deleted ? "This key is deleted." : undefined}
              />
            </CardContent>
          </Card>
          <Card role="region" aria-labelledby="key-delete">
            <CardHeader>
              <CardTitle id="key-delete">Delete</CardTitle>
              <CardDescription>The gateway refuses the key for good. Its request history stays in the log.</CardDescription>
            </CardHeader>
            <CardContent>
              <DeleteKeyForm keyId={key.id} lastFour={key.lastFour} unavailable={deleted ? "This key is deleted." : undefined} />
            </CardContent>
          </Card>
        </div>
      </div>

      <section aria-labelledby="key-requests" className="mt-8">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="key-requests" className="text-lg font-semibold">
            Recent requests
          </h2>
          <Link href={`/console/requests?key=${encodeURIComponent(key.id)}`} className="text-sm underline underline-offset-2">
            All requests of this key
          </Link>
        </div>
        <DataTable
          label="Recent requests of this key"
          className="mt-3"
          minWidth="min-w-[44rem]"
          columns={requestColumns}
          rows={recent.rows}
          rowKey={(r) => r.id}
          empty={<p className="text-muted">No requests yet.</p>}
        />
      </section>
    </>
  );
}
