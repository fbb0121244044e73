import type { ReactNode } from "react";
import { PortalShell } from "@/components/app-shell/area-shells";
import { requireUser } from "@/lib/auth";

// The buyer portal. Signed-out visitors go to the sign-in page; each page checks again itself.
export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return <PortalShell user={user}>{children}</PortalShell>;
}
