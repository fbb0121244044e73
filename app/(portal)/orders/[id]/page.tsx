import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { OrderStatusBadge } from "@/components/order-status-badge";
import { Countdown } from "@/components/orders/countdown";
import { CreateKeyForm } from "@/components/orders/create-key-form";
import { CredentialCard, type CredentialCardKey } from "@/components/orders/credential-card";
import { OrderLiveProvider } from "@/components/orders/order-live";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireOrderAccess, requireUser } from "@/lib/auth";
import { formatKeyMask } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { keyDisplayStatus, LIVE_KEY_STATUSES, selfRotationRefusal, spendLimitText, type OrderKeyView } from "@/lib/keys";
import { getOrderView, type OrderView } from "@/lib/orders";
import { loadOrderRunway } from "@/lib/usage";

export const metadata: Metadata = { title: "Order" };
export const dynamic = "force-dynamic";

function cardKey(key: OrderKeyView, order: OrderView, now: Date, isOwner: boolean): CredentialCardKey {
  const scoped = key.modelScope.filter((m) => order.plan.models.includes(m));
  const live = (LIVE_KEY_STATUSES as readonly string[]).includes(key.status);
  return {
    id: key.id,
    name: key.name,
    mask: formatKeyMask(key.lastFour),
    displayStatus: keyDisplayStatus(key, order.status, now),
    revealable: key.revealable,
    revealedAt: key.revealedAt?.toISOString() ?? null,
    handedOutAt: key.handedOutAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    validUntil: key.validUntil?.toISOString() ?? null,
    limits: {
      models: scoped.length === 0 ? "All of the plan's" : scoped.join(", "),
      spend: spendLimitText(key.spendLimitMicros, key.spendLimitPeriod),
      ips: key.ipAllowlist.length === 0 ? "Any address" : key.ipAllowlist.join(", "),
    },
    // Settings are the owner's, for a key that still counts (not replaced, not ended with its order).
    settingsHref: isOwner && live && order.status !== "CANCELLED" && order.status !== "REFUNDED" ? `/orders/${order.id}/keys/${key.id}` : null,
  };
}

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const db = getDb();
  // A 404 for anything outside the caller's account.
  const access = await requireOrderAccess(db, user, id);
  const now = new Date();
  const [order, runway] = await Promise.all([getOrderView(db, access, now), loadOrderRunway(db, { customerId: access.customerId, orderId: access.id, now })]);
  // Revealing and rotating are the buyer's own acts; staff see the page without those controls.
  const isOwner = user.customerId !== null && user.customerId === access.customerId;
  const ended = order.status === "CANCELLED" || order.status === "REFUNDED";
  // The same rule the rotate action applies: the button shows only when the rotation would be allowed.
  const canRotate = (key: OrderKeyView) =>
    isOwner && selfRotationRefusal({ planSelfRotate: order.plan.selfRotate, orderStatus: order.status, key, now }) === null;
  // The same rule as createOwnApiKey: an open order with room for another live key.
  const maxKeys = order.plan.maxKeysPerOrder;
  const canCreate = isOwner && order.status === "ACTIVE" && order.liveKeyCount < maxKeys;

  return (
    <>
      <PageHeader
        title={`Order ${order.marketplaceOrderId}`}
        description={`${order.plan.name}. Quote the order id ${order.marketplaceOrderId} when you contact support.`}
      />
      <p className="mt-2 text-sm">
        <Link href="/dashboard" className="underline">
          Back to the dashboard
        </Link>
      </p>
      <OrderLiveProvider initiallyExpired={order.status !== "ACTIVE" && order.status !== "PENDING"}>
        <div className="mt-6 grid gap-6 md:grid-cols-2">
          <Card aria-labelledby="remaining-title">
            <CardHeader>
              <CardTitle id="remaining-title">Remaining time</CardTitle>
              <CardDescription>
                <span className="mr-2">Status:</span>
                <span data-testid="order-status">
                  <OrderStatusBadge status={order.status} />
                </span>
              </CardDescription>
            </CardHeader>
            <CardContent className="flex flex-col gap-3">
              {ended ? (
                <p className="text-sm">
                  This order was {order.status === "REFUNDED" ? "refunded" : "cancelled"}
                  {order.endedAt ? (
                    <>
                      {" "}
                      on <LocalTime value={order.endedAt} />
                    </>
                  ) : null}
                  . Its key no longer works.
                </p>
              ) : (
                <Countdown start={order.accessStart.toISOString()} end={order.accessEnd.toISOString()} serverNow={now.getTime()} />
              )}
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                <dt className="text-muted">Access starts</dt>
                <dd data-testid="access-start">
                  <LocalTime value={order.accessStart} />
                </dd>
                <dt className="text-muted">Access ends</dt>
                <dd data-testid="access-end">
                  <LocalTime value={order.accessEnd} />
                </dd>
                <dt className="text-muted">Models</dt>
                <dd>{order.plan.models.join(", ")}</dd>
                <dt className="text-muted">Rate limit</dt>
                <dd>
                  {order.plan.rpm} requests a minute{order.plan.tpm ? `, ${order.plan.tpm.toLocaleString("en-US")} tokens a minute` : ""}
                </dd>
              </dl>
            </CardContent>
          </Card>

          {order.keys.length > 0 ? (
            order.keys.map((k) => (
              <CredentialCard key={k.id} apiKey={cardKey(k, order, now, isOwner)} orderId={order.id} canReveal={isOwner} canRotate={canRotate(k)} />
            ))
          ) : (
            <Card>
              <CardHeader>
                <CardTitle>API key</CardTitle>
                <CardDescription>This order has no key. Open a ticket and we will issue one.</CardDescription>
              </CardHeader>
            </Card>
          )}
        </div>
      </OrderLiveProvider>

      {isOwner && maxKeys > 1 && !ended ? (
        <section aria-labelledby="more-keys-title" className="mt-6 rounded-lg border border-border p-4">
          <h2 id="more-keys-title" className="font-semibold">
            More keys
          </h2>
          <p className="mt-1 text-sm text-muted" data-testid="key-count">
            Your plan allows {maxKeys} keys for this order; {order.liveKeyCount} in use. Give each app or machine its own key, with its own models, spend limit
            and IP allowlist, so you can rotate or limit one without touching the others.
          </p>
          <div className="mt-3">
            {canCreate ? (
              <CreateKeyForm orderId={order.id} suggestedName={`Key ${order.liveKeyCount + 1}`} />
            ) : (
              <p className="text-sm">
                {order.status === "ACTIVE" ? "All of this order's keys are in use." : "Keys can be added while the order's access window is open."}
              </p>
            )}
          </div>
        </section>
      ) : null}

      {runway && !ended ? (
        <section aria-labelledby="runway-title" className="mt-6 rounded-lg border border-border p-4 text-sm">
          <h2 id="runway-title" className="font-semibold">
            What runs out first
          </h2>
          <p className="mt-1" data-testid="order-runway">
            {runway.sentence}
          </p>
          <p className="mt-1 text-muted">
            {runway.first === "access" && runway.reached ? null : "The rate is your spending over the last 7 days. "}
            <Link href={`/usage?order=${order.id}`} className="text-accent underline">
              Usage of this order
            </Link>
          </p>
        </section>
      ) : null}

      {order.previousKeys.length > 0 ? (
        <section aria-labelledby="previous-keys" className="mt-8">
          <h2 id="previous-keys" className="text-lg font-semibold">
            Earlier keys
          </h2>
          <ul className="mt-2 flex flex-col gap-1 text-sm">
            {order.previousKeys.map((k) => (
              <li key={k.id}>
                <span className="font-mono">{formatKeyMask(k.lastFour)}</span> — {keyDisplayStatus(k, order.status, now)}
                {k.status === "REPLACED" && k.validUntil ? (
                  <>
                    {k.validUntil.getTime() > now.getTime() ? ", works until " : ", stopped working "}
                    <LocalTime value={k.validUntil} />
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
