import { randomInt } from "node:crypto";
import { expect, type Page } from "@playwright/test";
import { gatehouse } from "./fixtures/cli";
import { waitForSignInLink } from "./mail";

export const DEMO = { buyer: "buyer@example.com", support: "support@example.com", admin: "admin@example.com" } as const;

/**
 * A client address of its own for a test. The server believes X-Forwarded-For from 127.0.0.1 in
 * the tests (TRUSTED_PROXIES), so each test counts against its own per-IP sign-in limit.
 */
export function uniqueClientIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** Fills in the sign-in form for `email` and returns when the "check your email" page shows. */
export async function requestLink(page: Page, email: string): Promise<Date> {
  const since = new Date(Date.now() - 1_000);
  await page.goto("/signin");
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
  return since;
}

/** Signs `email` in through the mailed link and the confirmation page; ends on the landing page. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.setExtraHTTPHeaders({ "x-forwarded-for": uniqueClientIp() });
  const since = await requestLink(page, email);
  const link = await waitForSignInLink(email, since);
  await page.goto(link);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).not.toHaveURL(/\/signin/);
}

/**
 * Signs in as a support agent or admin of the test's own, created for it through the CLI. Demo
 * staff addresses are shared by every spec and a sign-in link is limited to 5 per address per
 * 15 minutes, so specs that only need someone with the role use their own address.
 */
export async function signInAsNewStaff(page: Page, role: "SUPPORT" | "ADMIN"): Promise<string> {
  const email = `${role.toLowerCase()}-${Date.now().toString(36)}-${randomInt(1_000_000).toString(36)}@example.com`;
  await gatehouse("user", "add", "--email", email, "--role", role);
  await signIn(page, email);
  return email;
}
