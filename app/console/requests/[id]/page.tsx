import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RequestStatus } from "@/components/console/request-status";
import { LocalTime } from "@/components/local-time";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";
import { formatUsd } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { getRequestDetail } from "@/lib/requests";
import { DetailRow, pathSegment } from "@/components/console/detail-row";

export const metadata: Metadata = { title: "Request" };
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

const dash = <span className="text-muted">—</span>;

export default async function ConsoleRequestPage({ params }: Props) {
  await requireStaff();
  const { id } = await params;
  const request = await getRequestDetail(getDb(), pathSegment(id));
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
              <DetailRow term="Time">
                <LocalTime value={request.createdAt} />
              </DetailRow>
              <DetailRow term="Status">
                <RequestStatus status={request.status} errorCode={request.errorCode} />
              </DetailRow>
              <DetailRow term="Endpoint">
                <span className="font-mono">{request.endpoint}</span> ({request.protocol}){request.stream ? ", streamed" : ""}
              </DetailRow>
              <DetailRow term="Model">
                <span className="font-mono">{request.model ?? "—"}</span>
                {request.requestedModel ? (
                  <span className="block text-xs text-muted">
                    requested as <span className="font-mono">{request.requestedModel}</span> (a plan alias)
                  </span>
                ) : null}
                {request.upstreamModel && request.upstreamModel !== request.model ? (
                  <span className="block text-xs text-muted">
                    sent upstream as <span className="font-mono">{request.upstreamModel}</span>
                  </span>
                ) : null}
              </DetailRow>
              <DetailRow term="Key">
                {request.key ? (
                  <Link href={`/console/keys/${request.key.id}`} className="font-mono underline underline-offset-2">
                    sk-gate-…{request.key.lastFour}
                  </Link>
                ) : request.apiKeyId ? (
                  <span className="font-mono">{request.apiKeyId}</span>
                ) : (
                  <span className="text-muted">None (refused before a key was known)</span>
                )}
              </DetailRow>
              <DetailRow term="Order">
                {request.order ? (
                  <Link href={`/console/orders/${request.order.id}`} className="font-mono underline underline-offset-2">
                    {request.order.marketplaceOrderId}
                  </Link>
                ) : (
                  dash
                )}
              </DetailRow>
              <DetailRow term="Account">{request.customer?.name ?? dash}</DetailRow>
              <DetailRow term="Client IP">{request.clientIp ? <span className="font-mono">{request.clientIp}</span> : dash}</DetailRow>
            </dl>
          </CardContent>
        </Card>
        <Card role="region" aria-labelledby="request-metering">
          <CardHeader>
            <CardTitle id="request-metering">Metering and timing</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="divide-y divide-border">
              <DetailRow term="Input tokens">{request.inputTokens.toLocaleString("en-US")}</DetailRow>
              <DetailRow term="Output tokens">{request.outputTokens.toLocaleString("en-US")}</DetailRow>
              <DetailRow term="Cache read / write tokens">
                {request.cacheReadTokens.toLocaleString("en-US")} / {request.cacheWriteTokens.toLocaleString("en-US")}
              </DetailRow>
              <DetailRow term="Counts">
                {request.estimated ? "Estimated from the text (the stream ended before the upstream's count)" : "The upstream's own"}
              </DetailRow>
              <DetailRow term="Cost">{formatUsd(request.costMicros)}</DetailRow>
              <DetailRow term="Latency">{request.latencyMs} ms</DetailRow>
              <DetailRow term="Time to first byte">{request.ttfbMs !== null ? `${request.ttfbMs} ms` : dash}</DetailRow>
              <DetailRow term="Channel">
                {request.channel ? (
                  <>
                    {request.channel.name} <span className="text-xs text-muted">({request.channel.provider.toLowerCase()})</span>
                  </>
                ) : request.channelId ? (
                  <span className="font-mono">{request.channelId}</span>
                ) : (
                  <span className="text-muted">None (not forwarded)</span>
                )}
              </DetailRow>
              <DetailRow term="Failover">
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
              </DetailRow>
            </dl>
          </CardContent>
        </Card>
      </div>
    </>
  );
}
