import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listPricedModels } from "@/lib/prices";
import { PlanForm } from "../plan-form";

export const metadata: Metadata = { title: "New plan" };
export const dynamic = "force-dynamic";

export default async function NewPlanPage() {
  await requireAdmin();
  const models = await listPricedModels(getDb());
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/console/plans" className="underline">
          Plans
        </Link>
      </p>
      <PageHeader title="New plan" description="The name must match what the marketplace sends in its orders." />
      <PlanForm
        models={models}
        values={{
          name: "",
          description: "",
          models: [],
          aliases: "",
          durationDays: "30",
          rpm: "60",
          tpm: "",
          credit: "0",
          multiplier: "1",
          maxKeysPerOrder: "1",
          selfRotate: false,
          active: true,
        }}
      />
    </>
  );
}
