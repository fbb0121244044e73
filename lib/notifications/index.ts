export { composeNotificationMail, formatUtc, orderPageUrl, unsubscribeUrl, type NotificationMailInput } from "./compose-notification-mail";
export { readKeyLimitUsage, type KeyLimitUsage } from "./key-limit-usage";
export { ENDING_SOON_MS, listOrdersEndingSoon, type OrderEndingSoon } from "./list-orders-ending-soon";
export {
  getNotificationSettings,
  notificationSettingsSchema,
  turnOffNotifications,
  updateNotificationSettings,
  type NotificationSettings,
} from "./notification-settings";
export { dueAccessStage, reachedThreshold, type NotificationKind } from "./notification-stages";
export { MAX_SEND_ATTEMPTS, runNotificationSweep, type SweepReport, type SweepSettings } from "./run-notification-sweep";
export { getSweepSettings, getUnsubscribeKey } from "./sweep-settings";
export { createUnsubscribeToken, deriveUnsubscribeKey, verifyUnsubscribeToken } from "./unsubscribe-token";
