import type { Metadata } from "next";
import { ComingLater } from "@/components/coming-later";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";

export const metadata: Metadata = { title: "Requests" };

export default async function ConsoleRequestsPage() {
  await requireStaff();
  return (
    <>
      <PageHeader title="Requests" description="Gateway requests." />
      <ComingLater>Look up a request by its request id: status, error code, model, tokens, cost, latency and the channel used.</ComingLater>
    </>
  );
}
