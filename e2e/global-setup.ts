import { startSmtpSink } from "./smtp-sink";

// Starts the SMTP sink the server mails sign-in links to (SMTP_URL in playwright.config.ts); the
// returned function stops it after the run.
export default async function globalSetup() {
  const port = Number(process.env.E2E_SMTP_PORT);
  const file = process.env.E2E_MAIL_FILE;
  if (!port || !file) throw new Error("E2E_SMTP_PORT and E2E_MAIL_FILE are set by playwright.config.ts");
  const sink = await startSmtpSink({ port, file });
  return async () => {
    await sink.close();
  };
}
