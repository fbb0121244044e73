import "server-only";
import { getConfig, getSecrets } from "@/lib/config";
import type { SweepSettings } from "./run-notification-sweep";
import { deriveUnsubscribeKey } from "./unsubscribe-token";

/** The sweep's settings from the configuration: the public origin for links, the mail relay, the unsubscribe key. */
export function getSweepSettings(): SweepSettings {
  const config = getConfig();
  return {
    publicUrl: config.publicUrl,
    mail: { smtpUrl: config.smtpUrl, emailFrom: config.emailFrom, publicUrl: config.publicUrl },
    unsubscribeKey: deriveUnsubscribeKey(getSecrets().gatehouseSecret),
  };
}

/** The key unsubscribe links are checked with. */
export function getUnsubscribeKey(): Buffer {
  return deriveUnsubscribeKey(getSecrets().gatehouseSecret);
}
