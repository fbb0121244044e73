import { existsSync, readFileSync } from "node:fs";
import { expect } from "@playwright/test";
import { signInLinkIn, type ReceivedMail } from "./smtp-sink";

/** Every message the SMTP sink has received in this run. */
export function receivedMail(): ReceivedMail[] {
  const file = process.env.E2E_MAIL_FILE;
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ReceivedMail);
}

/** Messages to `email` received at or after `since`. */
export function mailTo(email: string, since: Date): ReceivedMail[] {
  return receivedMail().filter((m) => m.to.includes(email.toLowerCase()) && new Date(m.receivedAt) >= since);
}

/** Waits for the next sign-in link mailed to `email` after `since` (the link is sent after the response). */
export async function waitForSignInLink(email: string, since: Date): Promise<string> {
  let link: string | null = null;
  await expect
    .poll(
      () => {
        // The newest mail that carries a link: reminders and alerts may arrive in between.
        link =
          mailTo(email, since)
            .map((mail) => signInLinkIn(mail))
            .filter((found) => found !== null)
            .at(-1) ?? null;
        return link;
      },
      { message: `a sign-in link mailed to ${email}`, timeout: 10_000 },
    )
    .not.toBeNull();
  return link as unknown as string;
}
