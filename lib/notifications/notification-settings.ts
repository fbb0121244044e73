import "server-only";
import { z } from "zod";
import type { Prisma } from "@/lib/db";
import type { NotificationKind } from "./notification-stages";

/** The buyer's mail choices, one switch per kind. */
export interface NotificationSettings {
  accessReminders: boolean;
  creditAlerts: boolean;
  keyLimitAlerts: boolean;
}

/** The settings form: checkboxes post "on" when ticked and nothing when not. */
const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean());
export const notificationSettingsSchema = z.object({ accessReminders: checkbox, creditAlerts: checkbox, keyLimitAlerts: checkbox });

const COLUMNS = {
  accessReminders: "notifyAccessReminders",
  creditAlerts: "notifyCreditAlerts",
  keyLimitAlerts: "notifyKeyLimitAlerts",
} as const satisfies Record<keyof NotificationSettings, string>;

const KIND_COLUMNS: Record<NotificationKind, (typeof COLUMNS)[keyof typeof COLUMNS]> = {
  ACCESS_REMINDER: "notifyAccessReminders",
  CREDIT_ALERT: "notifyCreditAlerts",
  KEY_LIMIT_ALERT: "notifyKeyLimitAlerts",
};

/** The account's choices, or null when there is no such account. */
export async function getNotificationSettings(db: Prisma, customerId: string): Promise<NotificationSettings | null> {
  const c = await db.customer.findUnique({
    where: { id: customerId },
    select: { notifyAccessReminders: true, notifyCreditAlerts: true, notifyKeyLimitAlerts: true },
  });
  return c && { accessReminders: c.notifyAccessReminders, creditAlerts: c.notifyCreditAlerts, keyLimitAlerts: c.notifyKeyLimitAlerts };
}

/** Stores the account's choices (the caller passes its own account id: the write is scoped by it). */
export async function updateNotificationSettings(db: Prisma, customerId: string, settings: NotificationSettings): Promise<void> {
  await db.customer.update({
    where: { id: customerId },
    data: {
      [COLUMNS.accessReminders]: settings.accessReminders,
      [COLUMNS.creditAlerts]: settings.creditAlerts,
      [COLUMNS.keyLimitAlerts]: settings.keyLimitAlerts,
    },
  });
}

/** Turns one kind off for the account an unsubscribe link names; false when the account is gone. */
export async function turnOffNotifications(db: Prisma, customerId: string, kind: NotificationKind): Promise<boolean> {
  const { count } = await db.customer.updateMany({ where: { id: customerId }, data: { [KIND_COLUMNS[kind]]: false } });
  return count === 1;
}
