import type { ReactNode } from "react";
import { ConsoleShell } from "@/components/app-shell/area-shells";
import { requireStaff } from "@/lib/auth";

// The console, for support agents and admins. Anyone else signed in gets a 404; every page and
// action below checks its own role again (admin-only ones require ADMIN).
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requireStaff();
  return <ConsoleShell user={user}>{children}</ConsoleShell>;
}
