import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { KeySettingsForm } from "@/components/orders/key-settings-form";
import { Card, CardContent } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";
import { microsToUsdText } from "@/lib/billing/money";
import { formatKeyMask } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { getOwnKeySettings } from "@/lib/keys";

export const metadata: Metadata = { title: "Key settings" };
export const dynamic = "force-dynamic";

// /orders/<order>/keys/<key>: one of the buyer's own live keys, its settings. Anyone else (another
// buyer, staff, a key replaced meanwhile) gets a 404; support changes keys in the console.
export default async function KeySettingsPage({ params }: { params: Promise<{ id: string; keyId: string }> }) {
  const user = await requireUser();
  const { id, keyId } = await params;
  if (user.role !== "BUYER" || !user.customerId) notFound();
  const key = await getOwnKeySettings(getDb(), { customerId: user.customerId, orderId: id.slice(0, 100), keyId: keyId.slice(0, 100) });
  if (!key) notFound();
  return (
    <>
      <PageHeader
        title={`Settings of ${key.name}`}
        description={
          <>
            Key <span className="font-mono">{formatKeyMask(key.lastFour)}</span> of order {key.marketplaceOrderId}
            {key.status === "DISABLED" ? " (disabled)" : ""}. Changes apply to the next request; the key itself stays the same.
          </>
        }
      />
      <p className="mt-2 text-sm">
        <Link href={`/orders/${key.orderId}`} className="underline">
          Back to the order
        </Link>
      </p>
      <Card className="mt-6 max-w-3xl">
        <CardContent className="py-5">
          <KeySettingsForm
            values={{
              keyId: key.id,
              name: key.name,
              planModels: key.planModels,
              modelScope: key.modelScope,
              spendLimitUsd: key.spendLimitMicros === null ? "" : microsToUsdText(key.spendLimitMicros),
              spendLimitPeriod: key.spendLimitPeriod,
              ipAllowlist: key.ipAllowlist,
            }}
          />
        </CardContent>
      </Card>
    </>
  );
}
