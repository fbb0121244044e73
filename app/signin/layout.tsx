import type { ReactNode } from "react";
import { SiteFooter } from "@/components/site-footer";
import { SiteHeader } from "@/components/site-header";
import { MAIN_CONTENT_ID } from "@/components/skip-link";

// The sign-in pages share the public frame: nobody is signed in yet (or any more).
export default function SignInLayout({ children }: { children: ReactNode }) {
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
