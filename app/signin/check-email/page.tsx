import type { Metadata } from "next";
import { connection } from "next/server";
import { ButtonLink } from "@/components/ui/button";
import { SIGN_IN_LINK_LIMITS } from "@/lib/auth";
import { getConfig } from "@/lib/config";
import { SIGN_IN_LINK_LOG_MARKER } from "@/lib/mail";
import { describeDuration } from "@/lib/time/describe-duration";

export const metadata: Metadata = { title: "Check your email" };

// Shown after every valid request, whether or not the address can sign in: the wording promises
// nothing that would tell the two apart.
export default async function CheckEmailPage() {
  await connection();
  const config = getConfig();
  return (
    <>
      <div className="flex flex-col gap-2">
        <h1 className="text-3xl font-semibold tracking-tight">Check your email</h1>
        <p role="status">If that address can sign in, a link is on its way.</p>
        <p className="text-muted">
          Open the email and follow the link, then press Sign in. The link works once and expires {describeDuration(config.signInLinkTtlSeconds)} after it was
          sent.
        </p>
        <p className="text-muted">
          Nothing after a few minutes? Check your spam folder and that you used the address from your marketplace order, then ask again (up to{" "}
          {SIGN_IN_LINK_LIMITS.perEmail.points} links per {describeDuration(SIGN_IN_LINK_LIMITS.perEmail.durationSeconds)}).
        </p>
      </div>
      {config.smtpUrl ? null : (
        <p className="rounded-md border border-border bg-surface p-3 text-sm">
          This server has no mail server configured (SMTP_URL), so sign-in links are printed in its terminal instead, on a line starting with{" "}
          <code>{SIGN_IN_LINK_LOG_MARKER}</code>.
        </p>
      )}
      <div>
        <ButtonLink href="/signin" variant="secondary">
          Use another address
        </ButtonLink>
      </div>
    </>
  );
}
