import type { ReactNode } from "react";
import { PortalShell } from "@/components/app-shell/area-shells";
import { SiteFooter } from "@/components/site-footer";
import { SiteHeader } from "@/components/site-header";
import { MAIN_CONTENT_ID } from "@/components/skip-link";
import { getCurrentUser } from "@/lib/auth";

// Setup guide and FAQ: public (the home page links to them), shown inside the portal when signed in.
export default async function GuideLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  if (user) return <PortalShell user={user}>{children}</PortalShell>;
  return (
    <>
      <SiteHeader />
      <main id={MAIN_CONTENT_ID} tabIndex={-1} className="flex-1 focus:outline-none">
        <div className="mx-auto max-w-5xl px-4 py-12 sm:px-6">{children}</div>
      </main>
      <SiteFooter />
    </>
  );
}
