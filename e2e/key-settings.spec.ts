import { expect, test } from "@playwright/test";
import { buyAndSignIn, keyCheck, reveal } from "./fixtures/marketplace";

// A buyer on a plan with several keys per order creates a second key, reveals it once like the
// first, narrows it to one model with a daily limit, and the gateway refuses it any other model.

test("a second key: created, revealed once, scoped, and refused a model outside its scope", async ({ page, request }) => {
  test.setTimeout(90_000);
  // Pro 30 allows three keys per order.
  const { path } = await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 86_400_000) }, "Pro 30");
  const first = await reveal(page);
  await expect(page.getByTestId("key-count")).toContainText("allows 3 keys for this order; 1 in use");

  await page.getByLabel("Name of the new key (optional)").fill("CI runner");
  await page.getByRole("button", { name: "Create another key" }).click();
  const card = page.getByRole("region", { name: "CI runner" });
  await expect(card).toBeVisible();
  await expect(page.getByTestId("key-count")).toContainText("2 in use");
  // The next step is its one reveal: focus waits on its button.
  const revealButton = card.getByRole("button", { name: "Reveal key" });
  await expect(revealButton).toBeFocused();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Reveal your API key?" });
  await dialog.getByRole("button", { name: "Reveal now" }).click();
  const field = card.getByRole("textbox", { name: "Your API key" });
  await expect(field).toBeFocused();
  const second = await field.inputValue();
  expect(second).toMatch(/^sk-gate-/);
  expect(second).not.toBe(first);

  // Settings: a mistyped allowlist entry is marked and focused, then one model and $1 a day.
  await card.getByRole("link", { name: "Settings of CI runner" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Settings of CI runner" })).toBeVisible();
  await page.getByRole("checkbox", { name: "gpt-4.1-mini", exact: true }).check();
  await page.getByLabel("Amount (USD)").fill("1");
  await page.getByLabel("Per", { exact: true }).selectOption("DAY");
  const ips = page.getByLabel("IP allowlist");
  await ips.fill("203.0.113.0/24\n10.0.0.300");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(ips).toBeFocused();
  await expect(ips).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText('"10.0.0.300" is not an IP address')).toBeVisible();
  await ips.fill("");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

  // The gateway sees the scope at once: the other model is refused for this key only.
  const ask = (key: string, model: string) =>
    request.post("/v1/chat/completions", {
      headers: { authorization: `Bearer ${key}` },
      data: { model, max_tokens: 5, messages: [{ role: "user", content: "hi" }] },
    });
  const refused = await ask(second, "gpt-4o-mini");
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error).toMatchObject({ code: "model_not_allowed", message: expect.stringContaining("Allowed models: gpt-4.1-mini.") });
  expect((await ask(second, "gpt-4.1-mini")).status()).toBe(200);
  expect((await ask(first, "gpt-4o-mini")).status()).toBe(200);

  const status = (await keyCheck(request, second)) as {
    status: number;
    body: { models?: string[]; spend_limit?: { period: string; limit_usd: number; resets_at: string } };
  };
  expect(status.body.models).toEqual(["gpt-4.1-mini"]);
  const now = new Date();
  expect(status.body.spend_limit).toMatchObject({
    period: "day",
    limit_usd: 1,
    resets_at: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString(),
  });

  // Back on the order page the key shows its limits, and cannot be revealed again.
  await page.goto(path);
  await expect(card.getByTestId("key-models")).toHaveText("gpt-4.1-mini");
  await expect(card.getByTestId("key-spend-limit")).toHaveText("$1.00 a day, reset at 00:00 UTC");
  await expect(card.getByRole("button", { name: "Reveal key" })).toHaveCount(0);
  await expect(card).toContainText("It cannot be shown again.");
});
