import type { Metadata } from "next";
import { ComingLater } from "@/components/coming-later";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";

export const metadata: Metadata = { title: "Keys" };

export default async function ConsoleKeysPage() {
  await requireStaff();
  return (
    <>
      <PageHeader title="Keys" description="Buyers' API keys." />
      <ComingLater>Search keys by order or last four characters, and rotate, disable, enable or delete them (each act is audited).</ComingLater>
    </>
  );
}
