import type { Metadata } from "next";
import { ComingLater } from "@/components/coming-later";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";

export const metadata: Metadata = { title: "Tickets" };

export default async function ConsoleTicketsPage() {
  await requireStaff();
  return (
    <>
      <PageHeader title="Tickets" description="The support queue." />
      <ComingLater>The ticket queue with filters by status, priority and assignee, replies and internal notes.</ComingLater>
    </>
  );
}
