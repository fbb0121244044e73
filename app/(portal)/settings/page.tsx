import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getNotificationSettings } from "@/lib/notifications";
import { MailSettingsForm } from "./mail-settings-form";

export const metadata: Metadata = { title: "Mail settings" };
export const dynamic = "force-dynamic";

export default async function MailSettingsPage() {
  const user = await requireUser();
  const settings = user.role === "BUYER" && user.customerId ? await getNotificationSettings(getDb(), user.customerId) : null;
  return (
    <>
      <PageHeader title="Mail settings" description={`Reminders and alerts go to ${user.email}. Sign-in links and replies to your tickets are always sent.`} />
      <div className="mt-6">
        {settings ? (
          <MailSettingsForm settings={settings} />
        ) : (
          <p>
            {user.role === "BUYER"
              ? "Reminders and alerts are about orders; your account has none yet."
              : "Reminders and alerts go to buyers only; staff accounts get none."}
          </p>
        )}
      </div>
    </>
  );
}
