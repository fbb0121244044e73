import { expect, test } from "@playwright/test";
import { mailTo } from "./mail";
import { buyAndSignIn } from "./fixtures/marketplace";
import { decodeQuotedPrintable } from "./smtp-sink";

// The last day of access: the portal's banner, the 1-day reminder mailed once by the sweep, and
// the buyer turning reminders off under Mail settings.
test("an order in its last day shows the banner, is mailed its reminder once, and the buyer can turn reminders off", async ({ page, request }) => {
  const start = new Date(Date.now() - 24 * 3_600_000);
  const end = new Date(Date.now() + 5 * 3_600_000);
  const since = new Date();
  const { email, orderId } = await buyAndSignIn(page, request, { start, end });

  const banner = page.getByRole("region", { name: "Access ends within a day" });
  await expect(banner).toContainText(`Order ${orderId}`);
  await expect(banner).toContainText(/5 hours left|4 hours \d+ minutes left|hours? .*left/);
  await banner.getByRole("link", { name: orderId }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Order ${orderId}` })).toBeVisible();

  const reminders = () => mailTo(email, since).filter((m) => /^Subject: Access ends in 1 day/m.test(decodeQuotedPrintable(m.raw)));
  await expect.poll(() => reminders().length, { timeout: 20_000 }).toBe(1);
  expect(decodeQuotedPrintable(reminders()[0]!.raw)).not.toMatch(/sk-gate-[0-9A-Za-z]{20}/);

  await page.getByRole("button", { name: /Account menu for/ }).click();
  await page.getByRole("link", { name: "Mail settings" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Mail settings" })).toBeVisible();
  const access = page.getByRole("checkbox", { name: "Access reminders" });
  await expect(access).toBeChecked();
  await access.uncheck();
  await page.getByRole("button", { name: "Save mail settings" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("checkbox", { name: "Access reminders" })).not.toBeChecked();
  await expect(page.getByRole("checkbox", { name: "Credit alerts" })).toBeChecked();
  // Still one reminder after further sweeps.
  await page.waitForTimeout(6_000);
  expect(reminders()).toHaveLength(1);
});
