import type { Metadata } from "next";
import { Button } from "@/components/ui/button";
import { buildSignInCallbackPath, getSignInSettings, inspectSignInLink, safeNextPath } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { LinkProblem } from "../link-problem";

// The page a mailed link opens. Opening it changes nothing: mail scanners and link previews fetch
// links, so the token is used only when a person presses the button (a POST). `same-origin` keeps
// the token-bearing URL out of Referer headers to other sites while still sending our Origin.
export const metadata: Metadata = { title: "Confirm sign-in", referrer: "same-origin", robots: { index: false, follow: false } };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function single(value: string | string[] | undefined): string | null {
  return typeof value === "string" ? value : null;
}

export default async function ConfirmSignInPage({ searchParams }: Props) {
  const params = await searchParams;
  const token = single(params.token);
  const email = single(params.email);
  const state = await inspectSignInLink(getDb(), { email, token }, getSignInSettings().authSecret);
  if (state !== "valid" || !token || !email) return <LinkProblem kind={state === "expired" ? "expired" : "used"} />;

  const action = buildSignInCallbackPath({ token, email, next: safeNextPath(single(params.next)) });
  return (
    <>
      <div className="flex flex-col gap-2">
        <h1 className="text-3xl font-semibold tracking-tight">Sign in to Gatehouse</h1>
        <p className="text-muted">
          You are signing in as <strong className="break-words text-foreground">{email}</strong>.
        </p>
      </div>
      <form method="post" action={action}>
        <Button type="submit" size="lg" className="w-full">
          Sign in
        </Button>
      </form>
      <p className="text-sm text-muted">
        We ask you to press the button because email security scanners open links to check them; this way they cannot use your link up. The link works once.
      </p>
    </>
  );
}
