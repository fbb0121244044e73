import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";
import { PriceForm } from "../price-form";

export const metadata: Metadata = { title: "Add a price" };
export const dynamic = "force-dynamic";

export default async function NewPricePage() {
  await requireAdmin();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/console/prices" className="underline">
          Prices
        </Link>
      </p>
      <PageHeader title="Add a price" description="A model can be sold in a plan and served by a channel once it has a price." />
      <PriceForm
        values={{ model: "", provider: "OPENAI", displayName: "", input: "", output: "", cacheRead: "", cacheWrite: "", contextWindow: "", source: "" }}
      />
    </>
  );
}
