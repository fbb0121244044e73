import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { AccessTimeLeft } from "./access-time-left";
import type { OrderEndingSoon } from "@/lib/notifications/list-orders-ending-soon";

/**
 * The portal's notice in the last 24 hours of an order's access: which order, how long is left
 * (kept current in the browser), when exactly, and a link to the order. A landmark region named
 * by its heading, placed first in the main content: screen-reader users find it in the landmarks
 * list and meet it first when they skip to the content. Not an alert: it never takes the focus or
 * interrupts, since it is there on every page for a whole day.
 */
export function EndingSoonBanner({ orders, serverNow }: { orders: OrderEndingSoon[]; serverNow: number }) {
  if (orders.length === 0) return null;
  return (
    <section aria-labelledby="ending-soon-title" className="mb-6 rounded-lg border border-warning/40 bg-warning/10 px-4 py-3 text-sm text-foreground">
      <h2 id="ending-soon-title" className="font-semibold">
        {orders.length === 1 ? "Access ends within a day" : `Access to ${orders.length} orders ends within a day`}
      </h2>
      <ul className="mt-1 flex flex-col gap-1">
        {orders.map((order) => (
          <li key={order.id}>
            Order{" "}
            <Link href={`/orders/${order.id}`} className="font-medium underline">
              {order.marketplaceOrderId}
            </Link>
            : <AccessTimeLeft end={order.accessEnd.toISOString()} serverNow={serverNow} /> (ends <LocalTime value={order.accessEnd} />
            ). Renew on the marketplace to keep your keys working.
          </li>
        ))}
      </ul>
    </section>
  );
}
