import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { OrderStatusBadge } from "@/components/order-status-badge";
import { RemainingTime } from "@/components/orders/remaining-time";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listCustomerOrders } from "@/lib/orders";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser();
  // Scoped by construction: only the caller's own account is listed.
  const now = new Date();
  const orders = user.customerId ? await listCustomerOrders(getDb(), user.customerId, now) : [];

  return (
    <>
      <PageHeader title="Dashboard" description="Your orders and their access windows. Times are shown in your time zone." />
      {orders.length === 0 ? (
        <Card className="mt-8">
          <CardHeader>
            <CardTitle>No orders yet</CardTitle>
          </CardHeader>
          <CardContent>
            <CardDescription>
              Buy a plan on the marketplace with this address ({user.email}). The order shows up here as soon as the
              payment goes through, with your API key ready to reveal.
            </CardDescription>
          </CardContent>
        </Card>
      ) : (
        <section aria-labelledby="orders-title" className="mt-8">
          <h2 id="orders-title" className="text-lg font-semibold">
            Orders
          </h2>
          <div className="relative mt-4 overflow-x-auto rounded-lg border border-border">
            <table className="w-full min-w-[48rem] text-left text-sm">
              <thead className="bg-surface text-muted">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Order
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Plan
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Status
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Access starts
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Access ends
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Remaining
                  </th>
                </tr>
              </thead>
              <tbody>
                {orders.map((order) => (
                  <tr key={order.id} className="border-t border-border">
                    <th scope="row" className="px-4 py-3 font-mono font-normal whitespace-nowrap">
                      <Link href={`/orders/${order.id}`} className="text-accent underline">
                        {order.marketplaceOrderId}
                      </Link>
                    </th>
                    <td className="px-4 py-3">{order.planName}</td>
                    <td className="px-4 py-3">
                      <OrderStatusBadge status={order.status} />
                    </td>
                    <td className="px-4 py-3 whitespace-nowrap">
                      <LocalTime value={order.accessStart} />
                    </td>
                    <td className="px-4 py-3 whitespace-nowrap">
                      <LocalTime value={order.accessEnd} />
                    </td>
                    <td className="px-4 py-3 whitespace-nowrap">
                      {order.status === "ACTIVE" || order.status === "PENDING" ? (
                        <RemainingTime start={order.accessStart.toISOString()} end={order.accessEnd.toISOString()} serverNow={now.getTime()} />
                      ) : (
                        <span className="text-muted">None</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
