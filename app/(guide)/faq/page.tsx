import type { Metadata } from "next";
import Link from "next/link";
import { FaqList } from "@/components/guide/faq-list";
import { ButtonLink, buttonClassName } from "@/components/ui/button";
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
        <form action="/support/new" className="mt-3 flex flex-wrap items-end gap-2">
          <div className="flex min-w-0 flex-col gap-1">
            <label htmlFor="faq-request-id" className="text-sm font-medium">
              Request id (optional)
            </label>
            <input
              id="faq-request-id"
              name="request"
              placeholder="req_…"
              autoComplete="off"
              spellCheck={false}
              maxLength={200}
              className="h-10 w-72 max-w-full rounded-md border border-border bg-background px-3 font-mono text-sm"
            />
          </div>
          <button type="submit" className={buttonClassName()}>
            Ask support about this request
          </button>
          <ButtonLink href="/support/new" variant="secondary">
            Open a ticket
          </ButtonLink>
        </form>
      </section>
    </>
  );
}
