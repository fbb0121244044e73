"use server";

import { signOut } from "@/lib/auth";

// Sign out (account menu). Ends the database session, clears the cookie, and lands on the sign-in
// page. A server action, so Next's same-origin check applies: no other site can sign a visitor out.
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/signin?signed-out=1" });
}
