import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { PageHeader } from "@/components/ui/page-header";
import { UsageChart, type UsageMetric } from "@/components/usage/usage-chart";
import { isStaff, requireUser } from "@/lib/auth";
import { formatUsd } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { listUsageOrders, loadAccountRunways, readUsageReport, usageQuerySchema, type UsageQuery, type UsageRow } from "@/lib/usage";

export const metadata: Metadata = { title: "Usage" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const METRICS: { id: UsageMetric; label: string }[] = [
  { id: "cost", label: "Cost" },
  { id: "requests", label: "Requests" },
  { id: "tokens", label: "Tokens" },
];

function href(query: UsageQuery, change: Partial<UsageQuery>): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  if (next.order) params.set("order", next.order);
  else params.set("range", next.range);
  params.set("by", next.by);
  params.set("metric", next.metric);
  return `/usage?${params.toString()}`;
}

function metricValue(metric: UsageMetric, row: UsageRow): number {
  if (metric === "cost") return Number(row.costMicros);
  if (metric === "requests") return row.requests;
  return row.inputTokens + row.outputTokens + row.cacheReadTokens + row.cacheWriteTokens;
}

const n = (value: number) => value.toLocaleString("en-US");

/** A row of choices as links: the current one is marked for assistive technology and by weight, not by colour only. */
function Choices({ label, items }: { label: string; items: { key: string; href: string; text: string; current: boolean }[] }) {
  return (
    <nav aria-label={label} className="flex flex-wrap items-center gap-2 text-sm">
      <span className="text-muted">{label}:</span>
      {items.map((item) => (
        <Link
          key={item.key}
          href={item.href}
          aria-current={item.current ? "page" : undefined}
          className={cn(
            "rounded-md border px-3 py-1.5 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent",
            item.current ? "border-accent bg-accent font-semibold text-accent-foreground" : "border-border hover:bg-surface",
          )}
        >
          {item.text}
        </Link>
      ))}
    </nav>
  );
}

export default async function UsagePage({ searchParams }: Props) {
  const user = await requireUser();
  const query = usageQuerySchema.parse(await searchParams);
  const header = (
    <PageHeader
      title="Usage"
      description="Requests, tokens and cost per day, by model or by key, and how long your access and credit last."
      actions={
        <>
          <Link href="/usage/requests" className="text-sm text-accent underline">
            Request log
          </Link>
          <Link href="/usage/balance" className="text-sm text-accent underline">
            Balance and ledger
          </Link>
        </>
      }
    />
  );

  if (user.customerId === null) {
    return (
      <>
        {header}
        <Card className="mt-8">
          <CardHeader>
            <CardTitle>Usage belongs to a buyer&apos;s account</CardTitle>
          </CardHeader>
          <CardContent>
            <CardDescription>
              {isStaff(user) ? (
                <>
                  This page shows a buyer their own usage. To look at a customer&apos;s requests, use the{" "}
                  <Link href="/console" className="text-accent underline">
                    console
                  </Link>
                  .
                </>
              ) : (
                "Your sign-in is not linked to an account with orders yet."
              )}
            </CardDescription>
          </CardContent>
        </Card>
      </>
    );
  }

  const db = getDb();
  const now = new Date();
  // Every read below is scoped by the signed-in buyer's own account.
  const [report, orders, runways] = await Promise.all([
    readUsageReport(db, { customerId: user.customerId, query, now }),
    listUsageOrders(db, user.customerId),
    loadAccountRunways(db, { customerId: user.customerId, now }),
  ]);
  // An order id that is not the buyer's (or no longer exists): back to the default period.
  const shown = report ?? (await readUsageReport(db, { customerId: user.customerId, query: { ...query, order: undefined }, now }))!;
  const splitWord = shown.split === "model" ? "model" : "key";
  const period = shown.order ? `order ${shown.order.marketplaceOrderId}'s window` : `the last ${query.range} days`;
  const labelOf = new Map(shown.series.map((s) => [s.id, s.label]));
  const points = shown.rows.map((row) => ({ day: row.day, series: row.series, value: metricValue(query.metric, row) }));
  const rowsNewestFirst = [...shown.rows].reverse();

  return (
    <>
      {header}

      <section aria-labelledby="runway-title" className="mt-8">
        <h2 id="runway-title" className="text-lg font-semibold">
          What runs out first
        </h2>
        {runways.length === 0 ? (
          <p className="mt-2 text-sm text-muted">You have no order with access left.</p>
        ) : (
          <ul className="mt-2 flex flex-col gap-2 text-sm" data-testid="usage-runways">
            {runways.map(({ orderId, marketplaceOrderId, runway }) => (
              <li key={orderId}>
                <Link href={`/orders/${orderId}`} className="font-mono text-accent underline">
                  {marketplaceOrderId}
                </Link>
                : <span data-testid="runway-sentence">{runway.sentence}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="period-title" className="mt-8 flex flex-col gap-3">
        <h2 id="period-title" className="text-lg font-semibold">
          Usage over {period}
        </h2>
        <Choices
          label="Period"
          items={[
            ...(["7", "30", "90"] as const).map((r) => ({
              key: r,
              href: href(query, { range: r, order: undefined }),
              text: `${r} days`,
              current: !shown.order && query.range === r,
            })),
            ...orders.slice(0, 5).map((o) => ({
              key: o.id,
              href: href(query, { order: o.id }),
              text: `Order ${o.marketplaceOrderId}`,
              current: shown.order?.id === o.id,
            })),
          ]}
        />
        <Choices
          label="Split by"
          items={(["model", "key"] as const).map((b) => ({
            key: b,
            href: href(query, { by: b }),
            text: b === "model" ? "Model" : "Key",
            current: query.by === b,
          }))}
        />
        <p className="text-sm text-muted">
          Days are UTC calendar days ({shown.from} to {shown.to}); figures are up to a few seconds behind. Updated <LocalTime value={now} /> in your time zone.
        </p>
      </section>

      <section aria-labelledby="totals-title" className="mt-6">
        <h2 id="totals-title" className="sr-only">
          Totals
        </h2>
        <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4" data-testid="usage-totals">
          {[
            ["Cost", formatUsd(shown.totals.costMicros)],
            ["Requests", n(shown.totals.requests)],
            ["Failed requests", n(shown.totals.errors)],
            ["Tokens in / out", `${n(shown.totals.inputTokens)} / ${n(shown.totals.outputTokens)}`],
          ].map(([term, value]) => (
            <div key={term} className="rounded-lg border border-border p-4">
              <dt className="text-sm text-muted">{term}</dt>
              <dd className="mt-1 text-xl font-semibold tabular-nums">{value}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section aria-labelledby="chart-title" className="mt-8 flex flex-col gap-3">
        <h2 id="chart-title" className="text-lg font-semibold">
          Per day and {splitWord}
        </h2>
        <Choices
          label="Chart shows"
          items={METRICS.map((m) => ({ key: m.id, href: href(query, { metric: m.id }), text: m.label, current: query.metric === m.id }))}
        />
        {shown.rows.length === 0 ? (
          <p className="text-sm text-muted">No requests in this period.</p>
        ) : (
          <>
            <figure aria-label={`Chart of ${query.metric} per UTC day and ${splitWord}; the table below has the same numbers.`}>
              <UsageChart metric={query.metric} days={shown.days} series={shown.series} points={points} />
            </figure>
            <div
              role="region"
              aria-labelledby="usage-table-caption"
              tabIndex={0}
              className="relative overflow-x-auto rounded-lg border border-border focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent"
            >
              <table className="w-full min-w-[44rem] text-left text-sm" data-testid="usage-table">
                <caption id="usage-table-caption" className="px-4 py-2 text-left text-sm text-muted">
                  Requests, tokens and cost per UTC day and {splitWord}, {shown.from} to {shown.to}, newest first
                </caption>
                <thead className="bg-surface text-muted">
                  <tr>
                    <th scope="col" className="px-4 py-2 font-medium">
                      Day (UTC)
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      {shown.split === "model" ? "Model" : "Key"}
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Requests
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Failed
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Input tokens
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Output tokens
                    </th>
                    <th scope="col" className="px-4 py-2 text-right font-medium">
                      Cost
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rowsNewestFirst.map((row) => (
                    <tr key={`${row.day}|${row.series}`} className="border-t border-border tabular-nums">
                      <th scope="row" className="px-4 py-2 font-normal whitespace-nowrap">
                        {row.day}
                      </th>
                      <td className="px-4 py-2 whitespace-nowrap">{labelOf.get(row.series) ?? row.series}</td>
                      <td className="px-4 py-2 text-right">{n(row.requests)}</td>
                      <td className="px-4 py-2 text-right">{n(row.errors)}</td>
                      <td className="px-4 py-2 text-right">{n(row.inputTokens)}</td>
                      <td className="px-4 py-2 text-right">{n(row.outputTokens)}</td>
                      <td className="px-4 py-2 text-right">{formatUsd(row.costMicros)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot className="border-t-2 border-border font-semibold tabular-nums">
                  <tr>
                    <th scope="row" colSpan={2} className="px-4 py-2">
                      Total
                    </th>
                    <td className="px-4 py-2 text-right">{n(shown.totals.requests)}</td>
                    <td className="px-4 py-2 text-right">{n(shown.totals.errors)}</td>
                    <td className="px-4 py-2 text-right">{n(shown.totals.inputTokens)}</td>
                    <td className="px-4 py-2 text-right">{n(shown.totals.outputTokens)}</td>
                    <td className="px-4 py-2 text-right">{formatUsd(shown.totals.costMicros)}</td>
                  </tr>
                </tfoot>
              </table>
            </div>
          </>
        )}
      </section>
    </>
  );
}
