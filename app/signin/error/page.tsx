import type { Metadata } from "next";
import { ButtonLink } from "@/components/ui/button";
import { LinkProblem } from "../link-problem";

export const metadata: Metadata = { title: "Sign-in problem" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

// Auth.js sends failed sign-ins here with `?error=<type>`. "Verification" is the everyday case: the
// link was used already (a second tab, a double press) or expired before the button was pressed.
export default async function SignInErrorPage({ searchParams }: Props) {
  const { error } = await searchParams;
  if (error === "Verification") return <LinkProblem kind="expired-or-used" />;
  const denied = error === "AccessDenied";
  return (
    <>
      <div className="flex flex-col gap-2">
        <h1 className="text-3xl font-semibold tracking-tight">Sign-in was not completed</h1>
        <p className="text-muted">
          {denied
            ? "This address cannot sign in at the moment. If you bought a plan with it, open a ticket from the marketplace or contact support."
            : "Something went wrong on our side while signing you in. Please ask for a new link and try again in a moment."}
        </p>
      </div>
      <div>
        <ButtonLink href="/signin" size="lg">
          Back to sign-in
        </ButtonLink>
      </div>
    </>
  );
}
