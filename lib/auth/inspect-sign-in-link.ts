import "server-only";
import type { Prisma } from "@/lib/db";
import { hashSignInToken, isWellFormedSignInToken } from "./sign-in-link-token";

export type SignInLinkState = "valid" | "expired" | "invalid";

/**
 * What the confirmation page should say about a link, without using it up: "valid" (show the
 * Sign in button), "expired", or "invalid" (used already, replaced by a cleanup, or never ours).
 * Only reads, so a mail scanner that opens the link changes nothing.
 */
export async function inspectSignInLink(
  db: Prisma,
  input: { email: string | null | undefined; token: string | null | undefined; now?: Date },
  authSecret: string,
): Promise<SignInLinkState> {
  const { email, token } = input;
  if (!email || !token || !isWellFormedSignInToken(token)) return "invalid";
  const row = await db.verificationToken.findUnique({ where: { token: hashSignInToken(token, authSecret) }, select: { identifier: true, expires: true } });
  if (!row || row.identifier !== email) return "invalid";
  return row.expires.getTime() <= (input.now ?? new Date()).getTime() ? "expired" : "valid";
}
