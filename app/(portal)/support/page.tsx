import type { Metadata } from "next";
import { ComingLater } from "@/components/coming-later";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";

export const metadata: Metadata = { title: "Support" };

export default async function SupportPage() {
  await requireUser();
  return (
    <>
      <PageHeader title="Support" description="Questions about an order, a key or a request." />
      <ComingLater>
        Support tickets: open one about an order, follow the replies and answer in the same thread. Until then, reply to the email from the marketplace and
        quote your order id (shown on your dashboard).
      </ComingLater>
    </>
  );
}
