import "server-only";
import { getConfig } from "@/lib/config";
import { deliverMail, type MailSettings, type Notification } from "@/lib/mail";
import { logger } from "@/lib/server/logger";
import type { BusinessHours } from "@/lib/time/business-hours";

/** The support desk's settings, passed explicitly so tests set their own. */
export interface TicketDesk {
  publicUrl: string;
  /** Addresses mailed about new tickets; empty: every support agent and admin. */
  emails: readonly string[];
  hours: BusinessHours;
  /** The first-response target, in business hours. */
  firstResponseHours: number;
  mail: MailSettings;
}

export function getTicketDesk(): TicketDesk {
  const config = getConfig();
  return {
    publicUrl: config.publicUrl,
    emails: config.support.emails,
    hours: config.support.hours,
    firstResponseHours: config.support.firstResponseHours,
    mail: { smtpUrl: config.smtpUrl, emailFrom: config.emailFrom, publicUrl: config.publicUrl },
  };
}

const log = logger.child({ component: "tickets" });

/**
 * Sends ticket mail one message at a time. A failure is logged and the rest still go: the ticket
 * and its messages are already stored, and the reader finds them on the page.
 */
export async function sendTicketMail(messages: readonly Notification[], settings: MailSettings): Promise<void> {
  for (const message of messages) {
    try {
      await deliverMail(message, settings);
    } catch (err) {
      log.error({ err, to: message.to, subject: message.subject }, "could not send ticket mail");
    }
  }
}
