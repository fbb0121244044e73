import type { ReactNode } from "react";
import { connection } from "next/server";
import { PortalShell } from "@/components/app-shell/area-shells";
import { EndingSoonBanner } from "@/components/notifications/ending-soon-banner";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listOrdersEndingSoon } from "@/lib/notifications";

// The buyer portal. Signed-out visitors go to the sign-in page; each page checks again itself.
// Every page shows the banner of orders in their last 24 hours (the buyer's own orders only).
export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  await connection();
  const now = new Date();
  const endingSoon = user.role === "BUYER" && user.customerId ? await listOrdersEndingSoon(getDb(), { customerId: user.customerId, now }) : [];
  return (
    <PortalShell user={user}>
      <EndingSoonBanner orders={endingSoon} serverNow={now.getTime()} />
      {children}
    </PortalShell>
  );
}
