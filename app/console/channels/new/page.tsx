import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";
import { DEFAULT_BASE_URLS } from "@/lib/channels";
import { ChannelForm } from "../channel-form";

export const metadata: Metadata = { title: "Add a channel" };
export const dynamic = "force-dynamic";

export default async function NewChannelPage() {
  await requireAdmin();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/console/channels" className="underline">
          Channels
        </Link>
      </p>
      <PageHeader title="Add a channel" description="An upstream provider account the gateway can forward requests to." />
      <div className="mt-6">
        <ChannelForm
          defaultBaseUrls={DEFAULT_BASE_URLS}
          values={{ name: "", provider: "OPENAI", baseUrl: DEFAULT_BASE_URLS.OPENAI, models: "", modelMap: "", priority: "0", weight: "1", enabled: true }}
        />
      </div>
    </>
  );
}
