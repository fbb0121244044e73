import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { OrderStatusBadge } from "@/components/order-status-badge";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";
import { formatUsd } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { getCustomerBalances, type LedgerLine } from "@/lib/usage";

export const metadata: Metadata = { title: "Balance" };
export const dynamic = "force-dynamic";

const KIND_LABELS = { PLAN_CREDIT: "Plan credit", ADJUSTMENT: "Adjustment by support", CREDIT_END: "Remaining credit closed" } as const;

function describe(line: LedgerLine, orderId: string) {
  if (line.kind === "DEBITS") {
    return (
      <>
        <Link href={`/usage/requests?order=${orderId}&from=${line.day}&to=${line.day}`} className="underline">
          {line.requests.toLocaleString("en-US")} request{line.requests === 1 ? "" : "s"}
        </Link>{" "}
        <span className="text-muted">(UTC day)</span>
      </>
    );
  }
  return (
    <>
      {KIND_LABELS[line.kind]}
      {line.note ? <span className="block text-xs text-muted">{line.note}</span> : null}
    </>
  );
}

export default async function BalancePage() {
  const user = await requireUser();
  const orders = user.customerId ? await getCustomerBalances(getDb(), { customerId: user.customerId }) : [];
  return (
    <>
      <PageHeader title="Balance" description="Each order's credit and what was spent from it: credits one by one, requests summed per day." />
      <p className="mt-2 text-sm">
        <Link href="/usage" className="underline">
          Usage overview
        </Link>{" "}
        ·{" "}
        <Link href="/usage/requests" className="underline">
          Request log
        </Link>
      </p>
      {orders.length === 0 ? <p className="mt-6 text-muted">No orders yet.</p> : null}
      {orders.map((o) => (
        <section key={o.id} aria-labelledby={`balance-${o.id}`} className="mt-8">
          <h2 id={`balance-${o.id}`} className="flex flex-wrap items-center gap-2 text-lg font-semibold">
            <Link href={`/orders/${o.id}`} className="underline">
              {o.marketplaceOrderId}
            </Link>
            <OrderStatusBadge status={o.status} />
            <span className="text-sm font-normal text-muted">{o.planName}</span>
          </h2>
          <p className="mt-1 text-sm">
            Balance: <strong data-testid={`balance-${o.marketplaceOrderId}`}>{formatUsd(o.balanceMicros)}</strong>
          </p>
          <div
            role="region"
            aria-label={`Ledger of order ${o.marketplaceOrderId}`}
            tabIndex={0}
            className="relative mt-3 overflow-x-auto rounded-lg border border-border focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent"
          >
            <table className="w-full min-w-[32rem] text-left text-sm">
              <caption className="sr-only">Ledger of order {o.marketplaceOrderId}, newest first</caption>
              <thead className="bg-surface text-muted">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">
                    When
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    What
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {o.lines.length === 0 ? (
                  <tr>
                    <td colSpan={3} className="px-3 py-2 text-muted">
                      Nothing yet.
                    </td>
                  </tr>
                ) : (
                  o.lines.map((line, i) => (
                    <tr key={i} className="border-t border-border align-top">
                      <td className="px-3 py-2 whitespace-nowrap">{line.kind === "DEBITS" ? line.day : <LocalTime value={line.at} />}</td>
                      <th scope="row" className="px-3 py-2 font-normal">
                        {describe(line, o.id)}
                      </th>
                      <td className={`px-3 py-2 text-right whitespace-nowrap ${line.amountMicros < 0n ? "" : "text-success"}`}>
                        {line.amountMicros > 0n ? "+" : ""}
                        {formatUsd(line.amountMicros)}
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </>
  );
}
