import "server-only";
import type { Prisma } from "@/lib/db";
import { deliverSignInLink } from "@/lib/mail";
import { canReceiveSignInLink } from "./can-receive-sign-in-link";
import type { SignInSettings } from "./sign-in-settings";
import { buildSignInLink, generateSignInToken, hashSignInToken } from "./sign-in-link-token";

/** Expired tokens are kept this long, so an old link still gets "expired" rather than "not valid". */
const EXPIRED_TOKEN_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export type DeliverSignInLink = typeof deliverSignInLink;

/**
 * Issues a single-use sign-in token for `email` and sends the link, when the address may sign in.
 * Returns what happened for logs and tests only: callers facing the public must not show it,
 * since it would tell whether an address has an account.
 */
export async function sendSignInLink(
  db: Prisma,
  input: { email: string; next?: string | null; now?: Date },
  settings: SignInSettings,
  deliver: DeliverSignInLink = deliverSignInLink,
): Promise<"sent" | "not_eligible"> {
  if (!(await canReceiveSignInLink(db, input.email, settings.adminEmails))) return "not_eligible";
  const now = input.now ?? new Date();
  const token = generateSignInToken();
  const hashed = hashSignInToken(token, settings.authSecret);
  await db.verificationToken.deleteMany({ where: { expires: { lt: new Date(now.getTime() - EXPIRED_TOKEN_RETENTION_MS) } } });
  await db.verificationToken.create({
    data: { identifier: input.email, token: hashed, expires: new Date(now.getTime() + settings.ttlSeconds * 1000) },
  });
  const url = buildSignInLink(settings.publicUrl, { token, email: input.email, next: input.next });
  try {
    await deliver({ to: input.email, url, ttlSeconds: settings.ttlSeconds }, settings.mail);
  } catch (err) {
    // Nobody received this token: drop it rather than leave a live credential behind.
    await db.verificationToken.deleteMany({ where: { token: hashed } });
    throw err;
  }
  return "sent";
}
