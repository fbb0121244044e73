import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LocalTime } from "@/components/local-time";
import { OrderStatusBadge } from "@/components/order-status-badge";
import { TicketPriorityBadge, TicketStatusBadge } from "@/components/tickets/ticket-badges";
import { TicketThread } from "@/components/tickets/ticket-thread";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";
import { formatKeyMask } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { CANNED_REPLIES, CATEGORY_LABELS, formatTicketNumber, getAgentTicket, parseTicketNumber } from "@/lib/tickets";
import { AgentMessageForm, RotateKeyFromTicket, TicketSettingsForm } from "./agent-forms";

export const metadata: Metadata = { title: "Ticket" };
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ number: string }> };

export default async function AgentTicketPage({ params }: Props) {
  await requireStaff();
  const number = parseTicketNumber((await params).number);
  if (number === null) notFound();
  const ticket = await getAgentTicket(getDb(), { number });
  if (!ticket) notFound();
  // The ticket's order's keys first: those are the ones a rotation is usually about.
  const keys = [...ticket.keys].sort((a, b) => Number(b.orderId === ticket.orderId) - Number(a.orderId === ticket.orderId));

  return (
    <>
      <PageHeader title={`${formatTicketNumber(ticket.number)}: ${ticket.subject}`} description={CATEGORY_LABELS[ticket.category]} />
      <p className="mt-2 text-sm">
        <Link href="/console/tickets" className="underline">
          Back to the queue
        </Link>
      </p>
      <div className="mt-4 flex flex-wrap items-center gap-2 text-sm">
        <TicketStatusBadge status={ticket.status} />
        <TicketPriorityBadge priority={ticket.priority} />
        {ticket.overdue ? <Badge tone="danger">First response overdue</Badge> : null}
        <span className="text-muted">
          Opened <LocalTime value={ticket.createdAt} />
          {ticket.firstResponseAt ? (
            <>
              {" "}
              · first answered <LocalTime value={ticket.firstResponseAt} />
            </>
          ) : (
            <>
              {" "}
              · first response due <LocalTime value={ticket.firstResponseDueAt} />
            </>
          )}
        </span>
      </div>

      <div className="mt-6 grid gap-8 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="flex min-w-0 flex-col gap-8">
          <section aria-labelledby="thread-title">
            <h2 id="thread-title" className="mb-3 text-lg font-semibold">
              Conversation
            </h2>
            <TicketThread messages={ticket.messages} />
          </section>
          <section aria-labelledby="answer-title">
            <h2 id="answer-title" className="mb-3 text-lg font-semibold">
              Answer
            </h2>
            <AgentMessageForm number={ticket.number} canned={CANNED_REPLIES} />
          </section>
        </div>

        <aside className="flex min-w-0 flex-col gap-4" aria-label="Ticket details and buyer context">
          <Card>
            <CardHeader>
              <CardTitle as="h2">Ticket</CardTitle>
            </CardHeader>
            <CardContent>
              <TicketSettingsForm
                number={ticket.number}
                status={ticket.status}
                priority={ticket.priority}
                assigneeId={ticket.assigneeId}
                agents={ticket.staff}
              />
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle as="h2">Account</CardTitle>
            </CardHeader>
            <CardContent className="flex flex-col gap-1 text-sm">
              <p className="font-medium">{ticket.account.name}</p>
              {ticket.account.users.map((u) => (
                <p key={u.email} className="break-all">
                  {u.email}
                  {u.name ? <span className="text-muted"> ({u.name})</span> : null}
                </p>
              ))}
              <p className="text-muted">
                Customer since <LocalTime value={ticket.account.createdAt} dateOnly />
              </p>
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle as="h2">Orders</CardTitle>
            </CardHeader>
            <CardContent>
              {ticket.orders.length === 0 ? (
                <p className="text-sm text-muted">No orders.</p>
              ) : (
                <ul className="flex flex-col gap-2 text-sm">
                  {ticket.orders.map((o) => (
                    <li key={o.id} className="flex flex-col">
                      <span className="flex flex-wrap items-center gap-2">
                        <Link href={`/console/orders/${o.id}`} className="font-medium underline">
                          {o.marketplaceOrderId}
                        </Link>
                        <OrderStatusBadge status={o.status} />
                        {o.id === ticket.orderId ? <Badge tone="info">This ticket</Badge> : null}
                      </span>
                      <span className="text-muted">
                        {o.planName} · ends <LocalTime value={o.accessEnd} />
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle as="h2">Keys</CardTitle>
            </CardHeader>
            <CardContent>
              {keys.length === 0 ? (
                <p className="text-sm text-muted">No keys.</p>
              ) : (
                <ul className="flex flex-col gap-3 text-sm">
                  {keys.map((k) => (
                    <li key={k.id} className="flex flex-col gap-1" data-testid="ticket-key">
                      <span className="flex flex-wrap items-center gap-2">
                        <Link href={`/console/keys/${k.id}`} className="font-mono underline">
                          {formatKeyMask(k.lastFour)}
                        </Link>
                        <Badge tone={k.status === "ACTIVE" ? "success" : "neutral"}>{k.status.toLowerCase()}</Badge>
                      </span>
                      <span className="text-muted">
                        {k.marketplaceOrderId} · last used {k.lastUsedAt ? <LocalTime value={k.lastUsedAt} /> : "never"}
                        {k.status === "REPLACED" && k.validUntil ? (
                          <>
                            {" "}
                            · works until <LocalTime value={k.validUntil} />
                          </>
                        ) : null}
                      </span>
                      {/* Rendered for every key, so the outcome stays in view once the rotated key has no button. */}
                      <RotateKeyFromTicket
                        number={ticket.number}
                        keyId={k.id}
                        lastFour={k.lastFour}
                        orderLabel={k.marketplaceOrderId}
                        canRotate={k.status === "ACTIVE"}
                      />
                    </li>
                  ))}
                </ul>
              )}
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle as="h2">Linked requests</CardTitle>
            </CardHeader>
            <CardContent>
              {ticket.requests.length === 0 ? (
                <p className="text-sm text-muted">None named by the buyer.</p>
              ) : (
                <ul className="flex flex-col gap-2 text-sm">
                  {ticket.requests.map((r) => (
                    <li key={r.requestId} className="flex flex-col">
                      <Link href={`/console/requests/${r.requestId}`} className="font-mono break-all underline">
                        {r.requestId}
                      </Link>
                      <span className="flex flex-wrap items-center gap-2 text-muted">
                        <Badge tone={r.status >= 400 ? "danger" : "success"}>{`${r.status}${r.errorCode ? ` ${r.errorCode}` : ""}`}</Badge>
                        {r.model ?? "no model"} · <LocalTime value={r.createdAt} />
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </CardContent>
          </Card>
        </aside>
      </div>
    </>
  );
}
