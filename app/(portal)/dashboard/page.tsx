import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { OrderStatusBadge } from "@/components/order-status-badge";
import { RemainingTime } from "@/components/orders/remaining-time";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DataTable, type DataTableColumn } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listCustomerOrders, orderListQuerySchema, type OrderSummary } from "@/lib/orders";

export const metadata: Metadata = { title: "Dashboard" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

// Buyers have no filter: the console's order search stays out of their URLs.
const dashboardQuerySchema = orderListQuerySchema.omit({ q: true });

export default async function DashboardPage({ searchParams }: Props) {
  const user = await requireUser();
  const query = dashboardQuerySchema.parse(await searchParams);
  const now = new Date();
  // Scoped by construction: only the caller's own account is listed.
  const orders = user.customerId ? await listCustomerOrders(getDb(), { customerId: user.customerId, query, now }) : { rows: [], nextCursor: null };

  const columns: DataTableColumn<OrderSummary>[] = [
    {
      id: "order",
      header: "Order",
      sortKey: "order",
      rowHeader: true,
      className: "font-mono whitespace-nowrap",
      cell: (order) => (
        <Link href={`/orders/${order.id}`} className="text-accent underline">
          {order.marketplaceOrderId}
        </Link>
      ),
    },
    // What a buyer looks for first (how long access lasts) comes first: on a phone the table
    // scrolls sideways, and the first columns are the ones in view.
    { id: "status", header: "Status", cell: (order) => <OrderStatusBadge status={order.status} /> },
    {
      id: "remaining",
      header: "Remaining",
      className: "whitespace-nowrap",
      cell: (order) =>
        order.status === "ACTIVE" || order.status === "PENDING" ? (
          <RemainingTime start={order.accessStart.toISOString()} end={order.accessEnd.toISOString()} serverNow={now.getTime()} />
        ) : (
          <span className="text-muted">None</span>
        ),
    },
    {
      id: "ends",
      header: "Access ends",
      sortKey: "ends",
      firstDir: "desc",
      className: "whitespace-nowrap",
      cell: (order) => <LocalTime value={order.accessEnd} />,
    },
    {
      id: "starts",
      header: "Access starts",
      sortKey: "starts",
      firstDir: "desc",
      className: "whitespace-nowrap",
      cell: (order) => <LocalTime value={order.accessStart} />,
    },
    { id: "plan", header: "Plan", className: "whitespace-nowrap", cell: (order) => order.planName },
  ];

  return (
    <>
      <PageHeader title="Dashboard" description="Your orders and their access windows. Times are shown in your time zone." />
      <section aria-labelledby="orders-title" className="mt-8">
        <h2 id="orders-title" className="text-lg font-semibold">
          Orders
        </h2>
        <DataTable
          label="Your orders"
          className="mt-4"
          minWidth="min-w-[48rem]"
          columns={columns}
          rows={orders.rows}
          rowKey={(order) => order.id}
          list={{ pathname: "/dashboard", state: query, nextCursor: orders.nextCursor }}
          empty={
            <Card>
              <CardHeader>
                <CardTitle as="h3">No orders yet</CardTitle>
              </CardHeader>
              <CardContent>
                <CardDescription>
                  Buy a plan on the marketplace with this address ({user.email}). The order shows up here as soon as the payment goes through, with your API key
                  ready to reveal.
                </CardDescription>
              </CardContent>
            </Card>
          }
        />
      </section>
    </>
  );
}
