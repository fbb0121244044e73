import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";
import { microsToUsdText } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { getPlan } from "@/lib/plans";
import { listPricedModels } from "@/lib/prices";
import { PlanForm } from "../plan-form";

export const metadata: Metadata = { title: "Plan" };
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function EditPlanPage({ params, searchParams }: Props) {
  await requireAdmin();
  const [{ id }, search] = await Promise.all([params, searchParams]);
  const [plan, models] = await Promise.all([getPlan(getDb(), id), listPricedModels(getDb())]);
  if (!plan) notFound();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/console/plans" className="underline">
          Plans
        </Link>
      </p>
      <PageHeader title={plan.name} description={`${plan.orders} order${plan.orders === 1 ? "" : "s"} on this plan.`} />
      <PlanForm
        key={plan.updatedAt.toISOString()}
        models={models}
        saved={search.saved === "created" ? `Created "${plan.name}".` : undefined}
        values={{
          id: plan.id,
          name: plan.name,
          description: plan.description ?? "",
          models: plan.models,
          aliases: Object.entries(plan.modelAliases)
            .map(([alias, model]) => `${alias}=${model}`)
            .join(", "),
          durationDays: String(plan.durationDays),
          rpm: String(plan.rpm),
          tpm: plan.tpm === null ? "" : String(plan.tpm),
          credit: microsToUsdText(plan.creditMicros),
          multiplier: String(plan.multiplierBps / 10_000),
          maxKeysPerOrder: String(plan.maxKeysPerOrder),
          selfRotate: plan.selfRotate,
          active: plan.active,
        }}
      />
    </>
  );
}
