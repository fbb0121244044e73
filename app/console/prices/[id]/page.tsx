import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";
import { microsToUsdText } from "@/lib/billing/money";
import { getDb } from "@/lib/db";
import { getPrice } from "@/lib/prices";
import { PriceForm } from "../price-form";

export const metadata: Metadata = { title: "Price" };
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function EditPricePage({ params, searchParams }: Props) {
  await requireAdmin();
  const [{ id }, search] = await Promise.all([params, searchParams]);
  const price = await getPrice(getDb(), id);
  if (!price) notFound();
  const optional = (micros: number | null) => (micros === null ? "" : microsToUsdText(micros));
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/console/prices" className="underline">
          Prices
        </Link>
      </p>
      <PageHeader
        title={price.model}
        description={price.source ? `Source: ${price.source}${price.effectiveDate ? ` (${price.effectiveDate.toISOString().slice(0, 10)})` : ""}.` : undefined}
      />
      <PriceForm
        key={price.updatedAt.toISOString()}
        saved={search.saved === "created" ? `Added the price of ${price.model}.` : undefined}
        values={{
          id: price.id,
          model: price.model,
          provider: price.provider,
          displayName: price.displayName ?? "",
          input: microsToUsdText(price.inputMicrosPerM),
          output: microsToUsdText(price.outputMicrosPerM),
          cacheRead: optional(price.cacheReadMicrosPerM),
          cacheWrite: optional(price.cacheWriteMicrosPerM),
          contextWindow: price.contextWindow === null ? "" : String(price.contextWindow),
          source: price.source ?? "",
        }}
      />
    </>
  );
}
