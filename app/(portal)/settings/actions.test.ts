import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { setDatabase } from "@/lib/db";
import { createUnsubscribeToken, deriveUnsubscribeKey } from "@/lib/notifications";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { createTestDatabase, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { POST as unsubscribe } from "../../api/unsubscribe/route";
import { saveMailSettingsAction } from "./actions";

// The mail-settings action and the unsubscribe endpoint, called as a crafted POST would call them.
vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("@/lib/notifications/sweep-settings", () => ({ getUnsubscribeKey: () => deriveUnsubscribeKey(TEST_SECRET), getSweepSettings: vi.fn() }));

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

let t: TestDatabase;
let a: Accounts;
const prefs = (customerId: string) =>
  t.db.prisma.customer.findUniqueOrThrow({
    where: { id: customerId },
    select: { notifyAccessReminders: true, notifyCreditAlerts: true, notifyKeyLimitAlerts: true },
  });

beforeAll(async () => {
  t = await createTestDatabase("pglite");
  a = await createAccounts(t.db.prisma);
  setDatabase(t.db);
});
afterAll(async () => {
  setDatabase(undefined);
  await t?.drop();
});
beforeEach(() => {
  signedInAs.userId = null;
});

it("stores the signed-in buyer's own choices only; others are sent to sign in or told 404", async () => {
  const alice = a.alice.user.customerId!;
  const bob = a.bob.user.customerId!;
  await expectRedirect(saveMailSettingsAction({ status: "idle" }, form({})), "/signin");
  for (const user of [a.support, a.newcomer]) {
    signedInAs.userId = user.id;
    await expectNotFound(saveMailSettingsAction({ status: "idle" }, form({})));
  }
  signedInAs.userId = a.alice.user.id;
  expect(await saveMailSettingsAction({ status: "idle" }, form({ accessReminders: "on", customerId: bob }))).toMatchObject({ status: "success" });
  expect(await prefs(alice)).toEqual({ notifyAccessReminders: true, notifyCreditAlerts: false, notifyKeyLimitAlerts: false });
  expect(await prefs(bob)).toEqual({ notifyAccessReminders: true, notifyCreditAlerts: true, notifyKeyLimitAlerts: true });
});

it("turns one kind off from a signed link without a session, and refuses a changed link", async () => {
  const bob = a.bob.user.customerId!;
  const token = createUnsubscribeToken(deriveUnsubscribeKey(TEST_SECRET), bob, "CREDIT_ALERT");
  const forged = await unsubscribe(
    new Request(`https://gate.example.com/api/unsubscribe?t=${token.replace(bob, a.alice.user.customerId!)}`, { method: "POST" }),
  );
  expect(forged.status).toBe(400);
  const oneClick = await unsubscribe(
    new Request(`https://gate.example.com/api/unsubscribe?t=${token}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    }),
  );
  expect(oneClick.status).toBe(200);
  expect(await prefs(bob)).toEqual({ notifyAccessReminders: true, notifyCreditAlerts: false, notifyKeyLimitAlerts: true });
  const fromPage = await unsubscribe(new Request(`https://gate.example.com/api/unsubscribe?t=${token}`, { method: "POST", body: form({ from: "page" }) }));
  expect(fromPage.status).toBe(303);
  expect(fromPage.headers.get("location")).toBe(`/unsubscribe?t=${encodeURIComponent(token)}&done=1`);
});
