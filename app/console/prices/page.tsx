import type { Metadata } from "next";
import { ComingLater } from "@/components/coming-later";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";

export const metadata: Metadata = { title: "Prices" };

export default async function ConsolePricesPage() {
  await requireAdmin();
  return (
    <>
      <PageHeader title="Prices" description="Per-model token prices." />
      <ComingLater>View and edit the price per million tokens of each model. Prices are seeded from the bundled price table.</ComingLater>
    </>
  );
}
