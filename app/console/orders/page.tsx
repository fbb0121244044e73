import type { Metadata } from "next";
import { LocalTime } from "@/components/local-time";
import { OrderStatusBadge } from "@/components/order-status-badge";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listRecentOrders } from "@/lib/orders";

export const metadata: Metadata = { title: "Orders" };

export default async function ConsoleOrdersPage() {
  await requireStaff();
  const orders = await listRecentOrders(getDb(), { take: 100 });
  return (
    <>
      <PageHeader title="Orders" description="The 100 newest orders of every account." />
      {orders.length === 0 ? (
        <p className="mt-8 text-muted">No orders yet.</p>
      ) : (
        <div className="relative mt-8 overflow-x-auto rounded-lg border border-border">
          <table className="w-full min-w-[40rem] text-left text-sm">
            <thead className="bg-surface text-muted">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  Order
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Account
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Plan
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Status
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Access ends
                </th>
              </tr>
            </thead>
            <tbody>
              {orders.map((order) => (
                <tr key={order.id} className="border-t border-border">
                  <th scope="row" className="px-4 py-3 font-mono font-normal whitespace-nowrap">
                    {order.marketplaceOrderId}
                  </th>
                  <td className="px-4 py-3">{order.customerName}</td>
                  <td className="px-4 py-3">{order.planName}</td>
                  <td className="px-4 py-3">
                    <OrderStatusBadge status={order.status} />
                  </td>
                  <td className="px-4 py-3 whitespace-nowrap">
                    <LocalTime value={order.accessEnd} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
