"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { getSignInSettings, requestSignInLink, signInRequestSchema } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { clientIpFromHeaders } from "@/lib/server/client-ip";
import { describeDuration } from "@/lib/time/describe-duration";

export type SignInFormState =
  { status: "idle"; email: string } | { status: "invalid"; email: string; fieldError: string } | { status: "rate_limited"; email: string; message: string };

// Sign-in form: ask for a link. Public by nature; the limits and the eligibility check live in
// requestSignInLink. Whatever the address, a valid request ends on the same "check your email"
// page, and the link is sent after the response, so nothing tells whether the address has an account.
export async function requestSignInLinkAction(_previous: SignInFormState, formData: FormData): Promise<SignInFormState> {
  // A crafted call may send anything as the form: no form is no address.
  if (!(formData instanceof FormData)) return { status: "invalid", email: "", fieldError: "Enter your email address." };
  const rawEmail = formData.get("email");
  const email = typeof rawEmail === "string" ? rawEmail.slice(0, 254) : "";
  const parsed = signInRequestSchema.safeParse({ email: rawEmail, next: formData.get("next") });
  if (!parsed.success) {
    const fieldError = parsed.error.issues.find((issue) => issue.path[0] === "email")?.message ?? "Enter a valid email address.";
    return { status: "invalid", email, fieldError };
  }
  const ip = clientIpFromHeaders(await headers());
  const result = await requestSignInLink(getDb(), { ...parsed.data, ip }, getSignInSettings(), { defer: (task) => after(task) });
  if (result.status === "rate_limited") {
    return {
      status: "rate_limited",
      email,
      message: `Too many sign-in links were requested. Please wait ${describeDuration(result.retryAfterSeconds)} and try again; a link you already received keeps working until it expires.`,
    };
  }
  redirect("/signin/check-email");
}
