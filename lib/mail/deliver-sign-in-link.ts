import "server-only";
import { logger } from "@/lib/server/logger";
import { stdout } from "@/lib/server/stdio";
import { composeSignInEmail } from "./compose-sign-in-email";
import { getMailTransport } from "./get-mail-transport";

/** The marker of the line that carries a sign-in link when no SMTP server is configured. */
export const SIGN_IN_LINK_LOG_MARKER = "[sign-in link]";

export interface MailSettings {
  /** smtp:// or smtps:// URL; unset means the link is printed instead of mailed. */
  smtpUrl: string | undefined;
  emailFrom: string;
  publicUrl: string;
}

const log = logger.child({ component: "mail" });

/**
 * Mails a sign-in link, or, without SMTP_URL, prints it on one line starting with
 * `[sign-in link]` so the demo works offline. Only that line carries the link: the structured log
 * records that a link went out, never the link itself, so tokens do not reach log storage.
 */
export async function deliverSignInLink(
  input: { to: string; url: string; ttlSeconds: number },
  settings: MailSettings,
  // Never spilled to a file with the other lines stdout cannot take: the link is a credential.
  print: (line: string) => void = (line) => void stdout.write(line, { spill: false }),
): Promise<void> {
  if (!settings.smtpUrl) {
    print(`${SIGN_IN_LINK_LOG_MARKER} ${input.to} ${input.url}\n`);
    log.info({ to: input.to }, "SMTP_URL is unset: sign-in link printed to stdout");
    return;
  }
  const message = composeSignInEmail({ url: input.url, ttlSeconds: input.ttlSeconds, publicUrl: settings.publicUrl });
  const result = await getMailTransport(settings.smtpUrl).sendMail({ from: settings.emailFrom, to: input.to, ...message });
  const refused = [...(result.rejected ?? []), ...(result.pending ?? [])];
  if (refused.length > 0) throw new Error(`The SMTP server did not accept the sign-in email for ${input.to}.`);
  log.info({ to: input.to, messageId: result.messageId }, "sign-in link mailed");
}
