import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LocalTime } from "@/components/local-time";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";
import { formatUsd } from "@/lib/billing/money";
import { formatKeyMask } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { listErrorsForFaq } from "@/lib/errors";
import { cleanRequestId, getCustomerRequest, type CustomerRequest } from "@/lib/requests";

export const metadata: Metadata = { title: "Request" };
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ requestId: string }> };

const perMillion = (micros: number) => `${formatUsd(micros)}/M`;

/** The cost, and how it was computed: tokens × price per million × the plan's multiplier. */
function CostLine({ request }: { request: CustomerRequest }) {
  const p = request.pricing;
  if (!p) return <>{formatUsd(request.costMicros)}</>;
  const terms = [
    `${request.inputTokens.toLocaleString("en-US")} input × ${perMillion(p.inputMicrosPerM)}`,
    `${request.outputTokens.toLocaleString("en-US")} output × ${perMillion(p.outputMicrosPerM)}`,
  ];
  if (request.cacheReadTokens > 0)
    terms.push(`${request.cacheReadTokens.toLocaleString("en-US")} cache read × ${perMillion(p.cacheReadMicrosPerM ?? p.inputMicrosPerM)}`);
  if (request.cacheWriteTokens > 0)
    terms.push(`${request.cacheWriteTokens.toLocaleString("en-US")} cache write × ${perMillion(p.cacheWriteMicrosPerM ?? p.inputMicrosPerM)}`);
  const multiplier = p.multiplierBps === 10_000 ? "" : ` × ${(p.multiplierBps / 10_000).toLocaleString("en-US")} (plan)`;
  return (
    <>
      {formatUsd(request.costMicros)}
      <span className="block text-xs text-muted">
        ({terms.join(" + ")}){multiplier}, rounded up to the micro-dollar
      </span>
    </>
  );
}

export default async function BuyerRequestPage({ params }: Props) {
  const user = await requireUser();
  const requestId = cleanRequestId(decodeURIComponent((await params).requestId));
  if (!user.customerId || !requestId) notFound();
  const request = await getCustomerRequest(getDb(), { customerId: user.customerId, requestId });
  if (!request) notFound();
  const failed = request.status >= 400;
  const error = request.errorCode ? listErrorsForFaq().find((e) => e.code === request.errorCode) : undefined;
  const rows: [string, React.ReactNode][] = [
    ["When", <LocalTime key="t" value={request.createdAt} />],
    ["Endpoint", <code key="e">{request.endpoint}</code>],
    [
      "Model",
      request.requestedModel ? `${request.model ?? "none"} (you asked for ${request.requestedModel}, an alias of your plan)` : (request.model ?? "none"),
    ],
    ["Answer", <Badge key="s" tone={failed ? "danger" : "success"}>{`${request.status}${request.errorCode ? ` ${request.errorCode}` : ""}`}</Badge>],
    ...(error ? ([["What it means", `${error.title}. ${error.meaning} ${error.whatToDo}`]] as [string, React.ReactNode][]) : []),
    ["Streamed", request.stream ? "Yes" : "No"],
    [
      "Tokens",
      `${request.inputTokens.toLocaleString("en-US")} in, ${request.outputTokens.toLocaleString("en-US")} out${
        request.cacheReadTokens + request.cacheWriteTokens > 0
          ? `, ${request.cacheReadTokens.toLocaleString("en-US")} cache read, ${request.cacheWriteTokens.toLocaleString("en-US")} cache write`
          : ""
      }${request.estimated ? " (estimated from the text: the answer ended before its usage was reported)" : ""}`,
    ],
    ["Cost", <CostLine key="c" request={request} />],
    [
      "Time",
      `${request.latencyMs.toLocaleString("en-US")} ms${request.ttfbMs !== null ? `, first byte after ${request.ttfbMs.toLocaleString("en-US")} ms` : ""}`,
    ],
    ["Key", request.keyLastFour ? <span className="font-mono">{formatKeyMask(request.keyLastFour)}</span> : "none"],
  ];
  return (
    <>
      <PageHeader title="Request" description={<span className="font-mono break-all">{request.requestId}</span>} />
      <p className="mt-2 text-sm">
        <Link href="/usage/requests" className="underline">
          Back to the request log
        </Link>
      </p>
      <dl className="mt-6 grid max-w-2xl grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
        {rows.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="text-muted">{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
        {request.order ? (
          <>
            <dt className="text-muted">Order</dt>
            <dd>
              <Link href={`/orders/${request.order.id}`} className="underline">
                {request.order.marketplaceOrderId}
              </Link>
            </dd>
          </>
        ) : null}
      </dl>
      <p className="mt-4 max-w-2xl text-sm text-muted">Gatehouse logs what a request was, never what it said: prompts and answers are not stored.</p>
      <div className="mt-6 flex flex-wrap gap-3">
        <ButtonLink href={`/support/new?request=${request.requestId}${request.order ? `&order=${request.order.id}` : ""}`}>
          Ask support about this request
        </ButtonLink>
        {request.errorCode ? (
          <ButtonLink href={`/faq#error-${request.errorCode}`} variant="secondary">
            What {request.errorCode} means
          </ButtonLink>
        ) : null}
      </div>
    </>
  );
}
