"use server";

import { revalidatePath } from "next/cache";
import { buyerAction, type ActionState } from "@/lib/actions";
import { getDb } from "@/lib/db";
import { notificationSettingsSchema, updateNotificationSettings } from "@/lib/notifications";

export type MailSettingsState = ActionState<{ status: "success"; message: string }>;

// Mail settings > Save. The buyer's own account only: the write is scoped by the session's account.
export const saveMailSettingsAction = buyerAction(notificationSettingsSchema, async ({ customerId, input }): Promise<MailSettingsState> => {
  await updateNotificationSettings(getDb(), customerId, input);
  revalidatePath("/settings");
  return { status: "success", message: "Saved." };
});
