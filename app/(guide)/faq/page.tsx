import type { Metadata } from "next";
import { ComingLater } from "@/components/coming-later";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "FAQ" };

export default function FaqPage() {
  return (
    <>
      <PageHeader title="FAQ" description="Answers about keys, access windows, limits and errors." />
      <ComingLater>
        Answers to common questions, including every error the API can return, what it means and what to do about it.
      </ComingLater>
    </>
  );
}
