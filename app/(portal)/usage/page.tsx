import type { Metadata } from "next";
import { ComingLater } from "@/components/coming-later";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";

export const metadata: Metadata = { title: "Usage" };

export default async function UsagePage() {
  await requireUser();
  return (
    <>
      <PageHeader title="Usage" description="Requests, tokens and cost per model and day." />
      <ComingLater>
        Charts of your requests, tokens and cost, the balance left on plans with credit, and a searchable log of recent requests with their request ids. Every
        request is already being recorded, so the history will be complete.
      </ComingLater>
    </>
  );
}
