import { expect, test, type APIRequestContext } from "@playwright/test";
import { formatUsd } from "@/lib/billing/money";
import { buyAndSignIn, reveal } from "./fixtures/marketplace";

// The buyer's usage page and the runway: traffic through the gateway (to the bundled mock
// upstream) shows up, once the usage writer has flushed, as exactly those requests, tokens and
// costs in the usage table, and GET /v1/key says what runs out first.

interface KeyStatus {
  usage_this_month: { requests: number; spend_usd: number };
  runway: { first: string; ends_at: string; reached: boolean; sentence: string; daily_spend_usd: number };
}

async function keyStatus(request: APIRequestContext, key: string): Promise<KeyStatus> {
  const response = await request.get("/v1/key", { headers: { authorization: `Bearer ${key}` } });
  expect(response.status()).toBe(200);
  return (await response.json()) as KeyStatus;
}

async function chat(request: APIRequestContext, key: string, model: string) {
  const response = await request.post("/v1/chat/completions", {
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    data: { model, max_tokens: 8, messages: [{ role: "user", content: "Hello there" }] },
  });
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
  return body.usage;
}

const n = (v: number) => v.toLocaleString("en-US");

test("the usage page shows exactly the logged requests and costs; /v1/key and the order page give the runway", async ({ page, request }) => {
  test.setTimeout(90_000);
  const start = new Date(Date.now() - 3_600_000);
  const end = new Date(Date.now() + 10 * 86_400_000);
  const { orderId, path } = await buyAndSignIn(page, request, { start, end });
  const key = await reveal(page);

  // Before any traffic: nothing spent, the access end comes first.
  const idle = await keyStatus(request, key);
  expect(idle.runway).toMatchObject({ first: "access", ends_at: end.toISOString(), reached: false, daily_spend_usd: 0 });
  expect(idle.runway.sentence).toMatch(/^Access ends in (10 days|9 days|\d+ hours); your credit of \$200\.00 is untouched in the last 7 days\.$/);

  // Two requests to one model, one to another; each model's cost is the key's spend before and after its requests.
  const gpt = [await chat(request, key, "gpt-4.1-mini"), await chat(request, key, "gpt-4.1-mini")];
  await expect.poll(async () => (await keyStatus(request, key)).usage_this_month.requests, { timeout: 15_000 }).toBe(2);
  const gptCost = Math.round((await keyStatus(request, key)).usage_this_month.spend_usd * 1_000_000);
  const claude = [await chat(request, key, "claude-haiku-4-5")];
  await expect.poll(async () => (await keyStatus(request, key)).usage_this_month.requests, { timeout: 15_000 }).toBe(3);
  const after = await keyStatus(request, key);
  const totalCost = Math.round(after.usage_this_month.spend_usd * 1_000_000);
  const claudeCost = totalCost - gptCost;
  expect(gptCost).toBeGreaterThan(0);
  expect(claudeCost).toBeGreaterThan(0);

  // The runway now has a rate; $200 of credit outlasts ten days of it.
  expect(after.runway.first).toBe("access");
  expect(after.runway.ends_at).toBe(end.toISOString());
  expect(after.runway.daily_spend_usd).toBeGreaterThan(0);
  expect(after.runway.sentence).toMatch(/^Access ends in .+; your credit lasts beyond that at your current rate\.$/);

  // The order page says the same sentence.
  await page.goto(path);
  await expect(page.getByTestId("order-runway")).toHaveText(after.runway.sentence);

  // The usage page, by model, last 7 days: one row per model today, and the totals.
  await page.goto("/usage?range=7&by=model");
  await expect(page.getByRole("heading", { level: 1, name: "Usage" })).toBeVisible();
  await expect(page.getByTestId("runway-sentence")).toHaveText(after.runway.sentence);
  const table = page.getByRole("table", { name: /per UTC day and model/ });
  await expect(table).toBeVisible();
  const today = new Date().toISOString().slice(0, 10);
  const sum = (u: { prompt_tokens: number; completion_tokens: number }[], k: "prompt_tokens" | "completion_tokens") => u.reduce((s, x) => s + x[k], 0);
  const body = table.locator("tbody tr");
  await expect(body).toHaveCount(2);
  // Newest day first, then dearest model first within a day is not promised: find each row by its model.
  for (const [model, usage, cost] of [
    ["gpt-4.1-mini", gpt, gptCost],
    ["claude-haiku-4-5", claude, claudeCost],
  ] as const) {
    const row = table.getByRole("row", { name: new RegExp(`^${today} ${model} `) });
    await expect(row.locator("td")).toHaveText([
      model,
      n(usage.length),
      "0",
      n(sum(usage, "prompt_tokens")),
      n(sum(usage, "completion_tokens")),
      formatUsd(cost),
    ]);
  }
  const totalRow = table.locator("tfoot tr");
  await expect(totalRow.locator("td")).toHaveText([
    "3",
    "0",
    n(sum([...gpt, ...claude], "prompt_tokens")),
    n(sum([...gpt, ...claude], "completion_tokens")),
    formatUsd(totalCost),
  ]);
  await expect(page.getByTestId("usage-totals")).toContainText(formatUsd(totalCost));

  // Split by key, and the order's whole window by keyboard: the same total.
  await page.getByRole("navigation", { name: "Split by" }).getByRole("link", { name: "Key" }).click();
  await expect(page).toHaveURL(/by=key/);
  await expect(
    page
      .getByRole("table", { name: /per UTC day and key/ })
      .locator("tfoot td")
      .last(),
  ).toHaveText(formatUsd(totalCost));
  const orderLink = page.getByRole("navigation", { name: "Period" }).getByRole("link", { name: `Order ${orderId}` });
  await orderLink.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/order=/);
  await expect(orderLink).toHaveAttribute("aria-current", "page");
  await expect(
    page
      .getByRole("table", { name: /per UTC day and key/ })
      .locator("tfoot td")
      .last(),
  ).toHaveText(formatUsd(totalCost));

  // The links to the request log and the balance are there.
  await expect(page.getByRole("link", { name: "Request log" })).toHaveAttribute("href", "/usage/requests");
  await expect(page.getByRole("link", { name: "Balance and ledger" })).toHaveAttribute("href", "/usage/balance");
});
