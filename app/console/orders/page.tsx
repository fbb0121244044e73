import type { Metadata } from "next";
import { LocalTime } from "@/components/local-time";
import { OrderStatusBadge } from "@/components/order-status-badge";
import Link from "next/link";
import { DataTable, ListFilters, type DataTableColumn, type ListFilterField } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listRecentOrders, orderListQuerySchema, type ConsoleOrderSummary } from "@/lib/orders";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Orders" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const filters: ListFilterField[] = [
  { name: "q", label: "Order id, account or email", hint: "Part of any of them" },
  {
    name: "status",
    label: "Status",
    type: "select",
    options: [
      { value: "ACTIVE", label: "Active" },
      { value: "PENDING", label: "Pending" },
      { value: "EXPIRED", label: "Expired" },
      { value: "CANCELLED", label: "Cancelled" },
      { value: "REFUNDED", label: "Refunded" },
    ],
  },
];

const columns: DataTableColumn<ConsoleOrderSummary>[] = [
  {
    id: "order",
    header: "Order",
    sortKey: "order",
    rowHeader: true,
    className: "font-mono whitespace-nowrap",
    cell: (order) => (
      <Link href={`/console/orders/${order.id}`} className="underline">
        {order.marketplaceOrderId}
      </Link>
    ),
  },
  { id: "account", header: "Account", cell: (order) => order.customerName },
  { id: "plan", header: "Plan", className: "whitespace-nowrap", cell: (order) => order.planName },
  { id: "status", header: "Status", cell: (order) => <OrderStatusBadge status={order.status} /> },
  {
    id: "placed",
    header: "Placed",
    sortKey: "created",
    firstDir: "desc",
    className: "whitespace-nowrap",
    cell: (order) => <LocalTime value={order.createdAt} dateOnly />,
  },
  {
    id: "ends",
    header: "Access ends",
    sortKey: "ends",
    firstDir: "desc",
    className: "whitespace-nowrap",
    cell: (order) => <LocalTime value={order.accessEnd} />,
  },
];

export default async function ConsoleOrdersPage({ searchParams }: Props) {
  await requireStaff();
  const query = orderListQuerySchema.parse(await searchParams);
  const orders = await listRecentOrders(getDb(), { query });
  return (
    <>
      <PageHeader title="Orders" description="Every account's orders, newest first, 50 to a page. Open one for its keys, usage, ledger and tickets." />
      <ListFilters pathname="/console/orders" state={query} fields={filters} idPrefix="orders" label="Filter orders" />
      <DataTable
        label="Orders"
        className="mt-6"
        minWidth="min-w-[48rem]"
        columns={columns}
        rows={orders.rows}
        rowKey={(order) => order.id}
        list={{ pathname: "/console/orders", state: query, nextCursor: orders.nextCursor }}
        empty={<p className="text-muted">{query.q || query.status ? "No orders match." : "No orders yet."}</p>}
      />
    </>
  );
}
