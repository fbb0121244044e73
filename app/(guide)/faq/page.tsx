import type { Metadata } from "next";
import Link from "next/link";
import { FaqList } from "@/components/guide/faq-list";
import { ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { listErrorsForFaq } from "@/lib/errors";
import { FAQ_ENTRIES } from "@/lib/guide/faq-content";

export const metadata: Metadata = { title: "FAQ" };

export default function FaqPage() {
  return (
    <>
      <PageHeader title="FAQ" description="Answers about keys, access windows, limits and errors." />
      <p className="mt-2 text-sm">
        Setting up a client? The{" "}
        <Link href="/setup" className="underline">
          setup guide
        </Link>{" "}
        has copy-ready snippets.
      </p>
      <FaqList entries={FAQ_ENTRIES} errors={listErrorsForFaq()} />
      <section aria-labelledby="ticket-title" id="ticket" className="mt-10 rounded-lg border border-border bg-surface p-5">
        <h2 id="ticket-title" className="text-lg font-semibold">
          Still stuck?
        </h2>
        <p className="mt-1 text-sm">Open a ticket with your order id and, for an API error, the x-request-id of the response.</p>
        <ButtonLink href="/support" className="mt-3">
          Open a ticket
        </ButtonLink>
      </section>
    </>
  );
}
