"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";

export interface NavItem {
  href: string;
  label: string;
}

export interface NavGroup {
  /** Shown above the group on wide screens; also names the group for screen readers. */
  label?: string;
  items: NavItem[];
}

function isCurrent(pathname: string, href: string): boolean {
  return pathname === href || pathname.startsWith(`${href}/`);
}

/**
 * The area's navigation: a row that scrolls sideways on narrow screens, a column beside the
 * content on wide ones. The current page is marked with `aria-current`, which also styles it.
 */
export function NavLinks({ groups }: { groups: NavGroup[] }) {
  const pathname = usePathname();
  return (
    <div className="flex gap-1 lg:flex-col lg:gap-6">
      {groups.map((group, index) => (
        <div key={group.label ?? index} role={group.label ? "group" : undefined} aria-label={group.label} className="flex gap-1 lg:flex-col">
          {group.label ? (
            <p aria-hidden="true" className="hidden px-3 pb-1 text-xs font-semibold tracking-wide text-muted uppercase lg:block">
              {group.label}
            </p>
          ) : null}
          <ul className="flex gap-1 lg:flex-col">
            {group.items.map((item) => (
              <li key={item.href}>
                <Link
                  href={item.href}
                  aria-current={isCurrent(pathname, item.href) ? "page" : undefined}
                  className={cn(
                    "block rounded-md px-3 py-2 text-sm whitespace-nowrap text-muted no-underline hover:bg-surface hover:text-foreground",
                    "aria-[current=page]:bg-surface aria-[current=page]:font-medium aria-[current=page]:text-foreground",
                  )}
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
