import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getCurrentUser, homePathFor, safeNextPath } from "@/lib/auth";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignInPage({ searchParams }: Props) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  const user = await getCurrentUser();
  if (user) redirect(next ?? homePathFor(user));

  return (
    <>
      {params["signed-out"] !== undefined ? (
        <p role="status" className="rounded-md border border-border bg-surface p-3 text-sm">
          You are signed out.
        </p>
      ) : null}
      <div className="flex flex-col gap-2">
        <h1 className="text-3xl font-semibold tracking-tight">Sign in</h1>
        <p className="text-muted">There is no password: enter the email address you used on the marketplace and we will email you a link that signs you in.</p>
      </div>
      <SignInForm next={next} />
    </>
  );
}
