import type { ReactNode } from "react";
import { SiteFooter } from "@/components/site-footer";
import { SiteHeader } from "@/components/site-header";
import { MAIN_CONTENT_ID } from "@/components/skip-link";

// The unsubscribe page is opened from a mail, signed in or not: the public frame.
export default function UnsubscribeLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <SiteHeader />
      <main id={MAIN_CONTENT_ID} tabIndex={-1} className="flex flex-1 focus:outline-none">
        <div className="mx-auto flex w-full max-w-md flex-col gap-6 px-4 py-16 sm:px-6">{children}</div>
      </main>
      <SiteFooter />
    </>
  );
}
