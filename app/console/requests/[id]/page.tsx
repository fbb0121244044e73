import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { RequestStatus } from "@/components/console/request-status";
import { LocalTime } from "@/components/local-time";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";
import { formatUsd } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { getRequestDetail } from "@/lib/requests";

export const metadata: Metadata = { title: "Request" };
export const dynamic = "force-dynamic";

/** The path segment as text; a malformed escape (`%zz`) is looked up as it stands and simply not found. */
function segment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

type Props = { params: Promise<{ id: string }> };

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 sm:grid-cols-[12rem_1fr] sm:gap-4">
      <dt className="text-sm text-muted">{term}</dt>
      <dd className="min-w-0 text-sm break-words">{children}</dd>
    </div>
  );
}

const dash = <span className="text-muted">—</span>;

export default async function ConsoleRequestPage({ params }: Props) {
  await requireStaff();
  const { id } = await params;
  const request = await getRequestDetail(getDb(), segment(id));
  if (!request) notFound();

  return (
    <>
      <p className="mb-4 text-sm">
        <Link href="/console/requests" className="underline underline-offset-2">
          ← Request log
        </Link>
      </p>
      <PageHeader
        title={<span className="font-mono break-all">{request.requestId}</span>}
        description="Everything the gateway logged about this request. Prompts and completions are never stored, so they cannot be shown."
      />
      <div className="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card role="region" aria-labelledby="request-who">
          <CardHeader>
            <CardTitle id="request-who">Request</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="divide-y divide-border">
              <Row term="Time">
                <LocalTime value={request.createdAt} />
              </Row>
              <Row term="Status">
                <RequestStatus status={request.status} errorCode={request.errorCode} />
              </Row>
              <Row term="Endpoint">
                <span className="font-mono">{request.endpoint}</span> ({request.protocol}){request.stream ? ", streamed" : ""}
              </Row>
              <Row term="Model">
                <span className="font-mono">{request.model ?? "—"}</span>
                {request.upstreamModel && request.upstreamModel !== request.model ? (
                  <span className="block text-xs text-muted">
                    sent upstream as <span className="font-mono">{request.upstreamModel}</span>
                  </span>
                ) : null}
              </Row>
              <Row term="Key">
                {request.key ? (
                  <Link href={`/console/keys/${request.key.id}`} className="font-mono underline underline-offset-2">
                    sk-gate-…{request.key.lastFour}
                  </Link>
                ) : request.apiKeyId ? (
                  <span className="font-mono">{request.apiKeyId}</span>
                ) : (
                  <span className="text-muted">None (refused before a key was known)</span>
                )}
              </Row>
              <Row term="Order">
                {request.order ? (
                  <Link href={`/console/orders/${request.order.id}`} className="font-mono underline underline-offset-2">
                    {request.order.marketplaceOrderId}
                  </Link>
                ) : (
                  dash
                )}
              </Row>
              <Row term="Account">{request.customer?.name ?? dash}</Row>
              <Row term="Client IP">{request.clientIp ? <span className="font-mono">{request.clientIp}</span> : dash}</Row>
            </dl>
          </CardContent>
        </Card>
        <Card role="region" aria-labelledby="request-metering">
          <CardHeader>
            <CardTitle id="request-metering">Metering and timing</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="divide-y divide-border">
              <Row term="Input tokens">{request.inputTokens.toLocaleString("en-US")}</Row>
              <Row term="Output tokens">{request.outputTokens.toLocaleString("en-US")}</Row>
              <Row term="Cache read / write tokens">
                {request.cacheReadTokens.toLocaleString("en-US")} / {request.cacheWriteTokens.toLocaleString("en-US")}
              </Row>
              <Row term="Counts">{request.estimated ? "Estimated from the text (the stream ended before the upstream's count)" : "The upstream's own"}</Row>
              <Row term="Cost">{formatUsd(request.costMicros)}</Row>
              <Row term="Latency">{request.latencyMs} ms</Row>
              <Row term="Time to first byte">{request.ttfbMs !== null ? `${request.ttfbMs} ms` : dash}</Row>
              <Row term="Channel">
                {request.channel ? (
                  <>
                    {request.channel.name} <span className="text-xs text-muted">({request.channel.provider.toLowerCase()})</span>
                  </>
                ) : request.channelId ? (
                  <span className="font-mono">{request.channelId}</span>
                ) : (
                  <span className="text-muted">None (not forwarded)</span>
                )}
              </Row>
              <Row term="Failover">
                {request.failover.length === 0 ? (
                  <span className="text-muted">None: the first channel tried answered</span>
                ) : (
                  <ol className="flex list-decimal flex-col gap-1 pl-5">
                    {request.failover.map((a, i) => (
                      <li key={i}>
                        {a.channel}{" "}
                        <span className="text-xs text-muted">
                          {a.outcome === "timeout" ? "timed out" : a.outcome === "unreachable" ? "unreachable" : `answered ${a.outcome}`}, after {a.ms} ms
                        </span>
                      </li>
                    ))}
                  </ol>
                )}
              </Row>
            </dl>
          </CardContent>
        </Card>
      </div>
    </>
  );
}
