import Link from "next/link";
import type { ReactNode } from "react";
import { MAIN_CONTENT_ID } from "@/components/skip-link";
import { AccountMenu, type AccountMenuProps } from "./account-menu";
import { NavLinks, type NavGroup } from "./nav-links";

export interface AppShellProps {
  /** "Portal" or "Console": shown beside the name and naming the navigation landmark. */
  area: string;
  homeHref: string;
  nav: NavGroup[];
  account: AccountMenuProps;
  children: ReactNode;
}

/**
 * The frame of the signed-in areas: header with the account menu, the area's navigation (beside
 * the content on wide screens, above it on narrow ones) and the page's `<main>`.
 */
export function AppShell({ area, homeHref, nav, account, children }: AppShellProps) {
  return (
    <>
      <header className="border-b border-border">
        <div className="mx-auto flex h-16 max-w-6xl items-center justify-between gap-4 px-4 sm:px-6">
          <Link href={homeHref} className="flex shrink-0 items-baseline gap-2 text-lg font-semibold tracking-tight text-foreground no-underline">
            Gatehouse
            <span className="text-sm font-normal text-muted">{area}</span>
          </Link>
          <AccountMenu {...account} />
        </div>
      </header>
      <div className="mx-auto w-full max-w-6xl flex-1 lg:grid lg:grid-cols-[13rem_minmax(0,1fr)] lg:gap-8 lg:px-6">
        <nav aria-label={area} className="overflow-x-auto border-b border-border px-4 py-2 sm:px-6 lg:border-0 lg:px-0 lg:py-8">
          <NavLinks groups={nav} />
        </nav>
        <main id={MAIN_CONTENT_ID} tabIndex={-1} className="min-w-0 px-4 py-8 focus:outline-none sm:px-6 lg:px-0">
          {children}
        </main>
      </div>
    </>
  );
}
