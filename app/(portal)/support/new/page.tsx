import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listCustomerOrders, orderListQuerySchema } from "@/lib/orders";
import { requestIdsSchema, ticketCategorySchema } from "@/lib/tickets";
import { NewTicketForm, type NewTicketDefaults } from "./new-ticket-form";

export const metadata: Metadata = { title: "New ticket" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Pre-filled from links elsewhere: "Report an exposed key" (category, order), "Ask support about this request" (request). */
function defaultsFrom(params: Record<string, string | string[] | undefined>, orderIds: Set<string>): NewTicketDefaults {
  const one = (name: string) => (typeof params[name] === "string" ? params[name] : "");
  const category = ticketCategorySchema.safeParse(one("category"));
  const order = orderIds.has(one("order")) ? one("order") : "";
  const request = requestIdsSchema.safeParse(one("request"));
  const requestIds = request.success ? request.data.join(" ") : "";
  const exposed = category.success && category.data === "KEY_EXPOSED";
  return {
    category: category.success ? category.data : requestIds ? "ERROR" : "",
    orderId: order,
    subject: exposed ? "My API key was exposed" : requestIds ? `Question about request ${requestIds}` : "",
    body: exposed ? "Where and when the key was exposed (a public repository, a screenshot, a shared log…):\n\n" : "",
    requestIds,
  };
}

export default async function NewTicketPage({ searchParams }: Props) {
  const user = await requireUser();
  if (!user.customerId) {
    return (
      <>
        <PageHeader title="New ticket" />
        {user.role === "BUYER" ? (
          <p className="mt-4">
            You have no orders yet. Tickets are opened about an order; if you paid and no order shows up, reply to the marketplace&apos;s receipt.
          </p>
        ) : (
          <p className="mt-4">
            Staff answer tickets in the{" "}
            <Link href="/console/tickets" className="underline">
              console
            </Link>
            .
          </p>
        )}
      </>
    );
  }
  const orders = await listCustomerOrders(getDb(), { customerId: user.customerId, query: orderListQuerySchema.parse({}), take: 100 });
  const defaults = defaultsFrom(await searchParams, new Set(orders.rows.map((o) => o.id)));
  return (
    <>
      <PageHeader title="New ticket" description="Support answers here and by email, usually within a few business hours." />
      <p className="mt-2 text-sm">
        <Link href="/support" className="underline">
          Back to your tickets
        </Link>
      </p>
      {defaults.category === "KEY_EXPOSED" ? (
        <p className="mt-4 max-w-2xl rounded-md border border-warning/40 bg-warning/10 p-3 text-sm">
          An exposed key works for whoever found it until it is replaced. Tell us where it was exposed; we will rotate it and you reveal the new key on the
          order page. Do not paste the key itself.
        </p>
      ) : null}
      <div className="mt-6">
        <NewTicketForm orders={orders.rows.map((o) => ({ id: o.id, label: `${o.marketplaceOrderId} · ${o.planName}` }))} defaults={defaults} />
      </div>
    </>
  );
}
