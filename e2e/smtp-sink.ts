import { appendFileSync } from "node:fs";
import { SMTPServer } from "smtp-server";

// A mail sink for tests: a real SMTP server on 127.0.0.1 that accepts every message and hands it
// to the caller (and, for Playwright, appends it to a JSON-lines file the specs read).

export interface ReceivedMail {
  to: string[];
  from: string | null;
  /** The whole RFC 5322 message as received. */
  raw: string;
  receivedAt: string;
}

export interface SmtpSink {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startSmtpSink(options: { port?: number; file?: string; onMail?: (mail: ReceivedMail) => void }): Promise<SmtpSink> {
  const server = new SMTPServer({
    // No TLS and no AUTH on the loopback sink; nodemailer fails with "Missing credentials" when
    // AUTH is offered and no user is given.
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const mail: ReceivedMail = {
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          raw: Buffer.concat(chunks).toString("utf8"),
          receivedAt: new Date().toISOString(),
        };
        if (options.file) appendFileSync(options.file, `${JSON.stringify(mail)}\n`);
        options.onMail?.(mail);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 0);
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Undoes quoted-printable encoding (nodemailer uses it for long lines such as a link). */
export function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The first sign-in link in a message (from its plain-text part). */
export function signInLinkIn(mail: ReceivedMail): string | null {
  const match = /https?:\/\/[^\s"<>]+\/signin\/confirm\?[^\s"<>]+/.exec(decodeQuotedPrintable(mail.raw));
  return match ? match[0] : null;
}
