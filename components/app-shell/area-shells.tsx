import type { ReactNode } from "react";
import type { SessionUser } from "@/lib/auth";
import { AppShell } from "./app-shell";
import type { NavGroup } from "./nav-links";

const ROLE_LABELS: Record<SessionUser["role"], string> = { BUYER: "Buyer", SUPPORT: "Support", ADMIN: "Admin" };

const PORTAL_NAV: NavGroup[] = [
  {
    items: [
      { href: "/dashboard", label: "Dashboard" },
      { href: "/usage", label: "Usage" },
      { href: "/setup", label: "Setup" },
      { href: "/support", label: "Support" },
      { href: "/faq", label: "FAQ" },
    ],
  },
];

const CONSOLE_NAV: NavGroup = {
  label: "Support",
  items: [
    { href: "/console/tickets", label: "Tickets" },
    { href: "/console/orders", label: "Orders" },
    { href: "/console/keys", label: "Keys" },
    { href: "/console/requests", label: "Requests" },
    { href: "/console/users", label: "Users" },
  ],
};

const ADMIN_NAV: NavGroup = {
  label: "Admin",
  items: [
    { href: "/console/plans", label: "Plans" },
    { href: "/console/prices", label: "Prices" },
    { href: "/console/channels", label: "Channels" },
    { href: "/console/events", label: "Marketplace events" },
    { href: "/console/audit", label: "Audit log" },
  ],
};

type ShellUser = Pick<SessionUser, "email" | "name" | "role">;

/** The buyer portal's frame. Staff who open it get a way back to the console. */
export function PortalShell({ user, children }: { user: ShellUser; children: ReactNode }) {
  const links = user.role === "BUYER" ? [{ href: "/settings", label: "Mail settings" }] : [{ href: "/console", label: "Console" }];
  return (
    <AppShell area="Portal" homeHref="/dashboard" nav={PORTAL_NAV} account={{ email: user.email, name: user.name, roleLabel: ROLE_LABELS[user.role], links }}>
      {children}
    </AppShell>
  );
}

/** The console's frame: admin sections are listed for admins only (and checked on each page). */
export function ConsoleShell({ user, children }: { user: ShellUser; children: ReactNode }) {
  const nav = user.role === "ADMIN" ? [CONSOLE_NAV, ADMIN_NAV] : [CONSOLE_NAV];
  const links = [
    { href: "/setup", label: "Setup guide (as buyers see it)" },
    { href: "/faq", label: "FAQ (as buyers see it)" },
  ];
  return (
    <AppShell area="Console" homeHref="/console" nav={nav} account={{ email: user.email, name: user.name, roleLabel: ROLE_LABELS[user.role], links }}>
      {children}
    </AppShell>
  );
}
