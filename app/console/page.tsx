import type { Metadata } from "next";
import Link from "next/link";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";

export const metadata: Metadata = { title: "Console" };

const SECTIONS = [
  { href: "/console/tickets", title: "Tickets", body: "The support queue: open tickets first, with the order they are about." },
  { href: "/console/orders", title: "Orders", body: "Every account's orders, their status and access window." },
  { href: "/console/keys", title: "Keys", body: "Rotate, disable or delete a buyer's API key." },
  { href: "/console/requests", title: "Requests", body: "Find a request by its request id and see why it failed." },
  { href: "/console/users", title: "Users", body: "Who can sign in, and with which role." },
];

const ADMIN_SECTIONS = [
  { href: "/console/plans", title: "Plans", body: "Models, duration, limits and credit of what is sold." },
  { href: "/console/prices", title: "Prices", body: "Per-model token prices used for metering." },
  { href: "/console/channels", title: "Channels", body: "Upstream providers the gateway forwards to." },
  { href: "/console/audit", title: "Audit log", body: "Every sensitive act: reveals, rotations, role changes." },
];

export default async function ConsoleHomePage() {
  const user = await requireStaff();
  const sections = user.role === "ADMIN" ? [...SECTIONS, ...ADMIN_SECTIONS] : SECTIONS;
  return (
    <>
      <PageHeader title="Console" description={`Signed in as ${user.email} (${user.role === "ADMIN" ? "admin" : "support"}).`} />
      <ul className="mt-8 grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
        {sections.map((section) => (
          <li key={section.href}>
            <Card className="h-full">
              <CardHeader>
                <CardTitle>
                  <Link href={section.href} className="hover:underline">
                    {section.title}
                  </Link>
                </CardTitle>
              </CardHeader>
              <CardContent>
                <CardDescription>{section.body}</CardDescription>
              </CardContent>
            </Card>
          </li>
        ))}
      </ul>
    </>
  );
}
