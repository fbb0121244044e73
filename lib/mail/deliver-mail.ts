import "server-only";
import { logger } from "@/lib/server/logger";
import { stdout } from "@/lib/server/stdio";
import type { MailSettings } from "./deliver-sign-in-link";
import { getMailTransport } from "./get-mail-transport";

/** The marker of the lines that print a mail when no SMTP server is configured. */
export const MAIL_LOG_MARKER = "[mail]";

/** A notification (ticket replies, status changes, new tickets, reminders): plain text, optionally with an HTML part and headers. */
export interface Notification {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
}

const log = logger.child({ component: "mail" });

/**
 * Sends a notification through SMTP_URL, or without it prints it to stdout under `[mail]` so the
 * demo shows what would have been sent. Notifications never carry a secret (no keys, no sign-in
 * links), so printing them is safe. Throws when the relay refuses the message.
 */
export async function deliverMail(
  message: Notification,
  settings: MailSettings,
  print: (text: string) => void = (text) => void stdout.write(text),
): Promise<void> {
  if (!settings.smtpUrl) {
    const body = message.text.replace(/\n/g, "\n    ");
    print(`${MAIL_LOG_MARKER} to ${message.to}: ${message.subject}\n    ${body}\n`);
    return;
  }
  const result = await getMailTransport(settings.smtpUrl).sendMail({
    from: settings.emailFrom,
    to: message.to,
    subject: message.subject,
    text: message.text,
    ...(message.html ? { html: message.html } : {}),
    ...(message.headers ? { headers: message.headers } : {}),
  });
  const refused = [...(result.rejected ?? []), ...(result.pending ?? [])];
  if (refused.length > 0) throw new Error(`The SMTP server did not accept the mail for ${message.to}.`);
  log.info({ to: message.to, messageId: result.messageId }, "mail sent");
}
