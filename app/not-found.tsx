import type { Metadata } from "next";
import { SiteFooter } from "@/components/site-footer";
import { SiteHeader } from "@/components/site-header";
import { MAIN_CONTENT_ID } from "@/components/skip-link";
import { ButtonLink } from "@/components/ui/button";

export const metadata: Metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <>
      <SiteHeader />
      <main id={MAIN_CONTENT_ID} tabIndex={-1} className="flex flex-1 items-center focus:outline-none">
        <div className="mx-auto flex w-full max-w-2xl flex-col gap-6 px-4 py-16 sm:px-6">
          <p className="text-sm font-medium text-muted">Error 404</p>
          <h1 className="text-3xl font-semibold tracking-tight">Page not found</h1>
          <p className="text-muted">
            There is nothing at this address. The link may be mistyped or out of date, or the page may have moved. If you followed a link from an email, sign in
            and find the order or ticket from your dashboard.
          </p>
          <div className="flex flex-wrap gap-3">
            <ButtonLink href="/">Go to the home page</ButtonLink>
            <ButtonLink href="/signin" variant="secondary">
              Sign in
            </ButtonLink>
          </div>
        </div>
      </main>
      <SiteFooter />
    </>
  );
}
