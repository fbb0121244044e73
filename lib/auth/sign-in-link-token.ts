import "server-only";
import { createHash, randomBytes } from "node:crypto";

/** The Auth.js provider whose callback (`/api/auth/callback/email`) completes a sign-in. */
export const SIGN_IN_PROVIDER_ID = "email";

/** Where a mailed link points: our confirmation page, never Auth.js's callback itself. */
export const SIGN_IN_CONFIRM_PATH = "/signin/confirm";

/** Where the browser goes after the session is created; it forwards by role (or to `next`). */
export const SIGN_IN_CONTINUE_PATH = "/signin/continue";

const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** A new link token: 32 random bytes, hex. */
export function generateSignInToken(): string {
  return randomBytes(32).toString("hex");
}

/** Whether a string has the shape of a token we issue (checked before any database read). */
export function isWellFormedSignInToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/**
 * The stored form of a token. It must equal what Auth.js's email callback computes to find the
 * row (SHA-256 hex of the token followed by the secret), because Auth.js consumes the tokens we
 * issue. Only this hash is stored, so a database reader cannot sign in as anyone.
 */
export function hashSignInToken(token: string, secret: string): string {
  return createHash("sha256").update(`${token}${secret}`, "utf8").digest("hex");
}

/**
 * The link that goes into the email. Always built on the configured public URL, whatever Host a
 * request arrived with, so a forged Host header cannot make us mail a link to another site.
 */
export function buildSignInLink(publicUrl: string, input: { token: string; email: string; next?: string | null }): string {
  const url = new URL(SIGN_IN_CONFIRM_PATH, publicUrl);
  url.searchParams.set("token", input.token);
  url.searchParams.set("email", input.email);
  if (input.next) url.searchParams.set("next", input.next);
  return url.toString();
}

/** The relative URL the confirmation form posts to: Auth.js's callback, which uses the token once. */
export function buildSignInCallbackPath(input: { token: string; email: string; next?: string | null }): string {
  const continueUrl = input.next ? `${SIGN_IN_CONTINUE_PATH}?${new URLSearchParams({ next: input.next })}` : SIGN_IN_CONTINUE_PATH;
  const params = new URLSearchParams({ token: input.token, email: input.email, callbackUrl: continueUrl });
  return `/api/auth/callback/${SIGN_IN_PROVIDER_ID}?${params}`;
}
