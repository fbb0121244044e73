import type { Metadata } from "next";
import { ComingLater } from "@/components/coming-later";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";

export const metadata: Metadata = { title: "Plans" };

export default async function ConsolePlansPage() {
  await requireAdmin();
  return (
    <>
      <PageHeader title="Plans" description="What is sold: models, duration, limits and credit." />
      <ComingLater>Create and edit plans here. Until then, use the CLI: npm run gatehouse -- plan add / plan list.</ComingLater>
    </>
  );
}
