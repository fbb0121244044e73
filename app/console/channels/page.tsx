import type { Metadata } from "next";
import { ComingLater } from "@/components/coming-later";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";

export const metadata: Metadata = { title: "Channels" };

export default async function ConsoleChannelsPage() {
  await requireAdmin();
  return (
    <>
      <PageHeader title="Channels" description="Upstream providers." />
      <ComingLater>
        Add, disable and reorder upstream channels and see their health. Until then, use the CLI: npm run gatehouse -- channel add / channel list.
      </ComingLater>
    </>
  );
}
