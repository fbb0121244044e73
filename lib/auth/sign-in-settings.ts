import "server-only";
import { getConfig, getSecrets } from "@/lib/config";
import type { MailSettings } from "@/lib/mail";

/** Everything issuing and checking sign-in links depends on, passed explicitly so tests set it. */
export interface SignInSettings {
  publicUrl: string;
  /** Auth.js's secret: part of the stored token hash. */
  authSecret: string;
  ttlSeconds: number;
  adminEmails: readonly string[];
  mail: MailSettings;
}

/** The settings of this process, from the environment. */
export function getSignInSettings(): SignInSettings {
  const config = getConfig();
  return {
    publicUrl: config.publicUrl,
    authSecret: getSecrets().authSecret,
    ttlSeconds: config.signInLinkTtlSeconds,
    adminEmails: config.adminEmails,
    mail: { smtpUrl: config.smtpUrl, emailFrom: config.emailFrom, publicUrl: config.publicUrl },
  };
}
