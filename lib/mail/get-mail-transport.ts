import "server-only";
import { createTransport, type Transporter } from "nodemailer";
import { processSingleton } from "@/lib/server/process-singleton";

// One transport per SMTP URL for the process: nodemailer keeps no pool by default, but building
// the transport parses the URL and options each time, and tests point several at their own sinks.
const TRANSPORTS = processSingleton<{ current?: Map<string, Transporter> }>("mail-transports", () => ({}));

/** The nodemailer transport for `smtpUrl` (smtp:// or smtps://, credentials in the URL). */
export function getMailTransport(smtpUrl: string): Transporter {
  const transports = (TRANSPORTS.current ??= new Map());
  let transport = transports.get(smtpUrl);
  if (!transport) {
    // Short timeouts: a sign-in link that cannot be handed to the relay within seconds will not be
    // delivered by waiting longer, and the attempt runs after the response anyway.
    transport = createTransport(smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
    transports.set(smtpUrl, transport);
  }
  return transport;
}
