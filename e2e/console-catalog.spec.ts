import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { createKey, loggedRequest } from "./fixtures/cli";
import { DEMO, signIn } from "./sign-in";

// An admin sells a new model end to end from the console: prices it, puts it in a new plan, adds
// a channel for it pointing at the demo's mock upstream, tests the channel, and a gateway request
// for the model is then served through that channel (the only one serving it). The channel's key
// never reaches the browser, and the audit log names the admin for each act.

const base = () => process.env.E2E_BASE_URL!;

async function demoMockOpenAiUrl(page: Page): Promise<string> {
  await page.goto("/console/channels?q=Demo%20mock");
  const row = page.getByRole("row", { name: /Demo mock \(OpenAI\)/ });
  const text = await row.getByRole("rowheader").innerText();
  const url = /https?:\/\/\S+/.exec(text)?.[0];
  expect(url, "the demo's OpenAI mock channel shows its base URL").toBeTruthy();
  return url!;
}

test("an admin prices a model, sells it in a plan, adds and tests a channel for it; the gateway serves it through that channel", async ({ page }) => {
  test.setTimeout(90_000);
  const tag = randomBytes(3).toString("hex");
  const model = `house-e2e-${tag}`;
  const planName = `Catalog E2E ${tag}`;
  const channelName = `E2E channel ${tag}`;
  const upstreamKey = `sk-e2e-${randomBytes(12).toString("hex")}-TAIL`;

  await signIn(page, DEMO.admin);
  const nav = page.getByRole("navigation", { name: "Console" });
  const mockUrl = await demoMockOpenAiUrl(page);

  // 1. A price for the new model, typed in dollars per million tokens.
  await nav.getByRole("link", { name: "Prices" }).click();
  await page.getByRole("link", { name: "Add a price" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Add a price" })).toBeVisible();
  await page.getByLabel("Model id").fill(model);
  await page.getByLabel("Provider").selectOption("OPENAI");
  await page.getByLabel("Input", { exact: true }).fill("1");
  await page.getByLabel("Output", { exact: true }).fill("abc");
  await page.getByRole("button", { name: "Add price" }).click();
  // A wrong amount is named at its field, and what was typed stays.
  await expect(page.getByText(/Enter the output price in dollars/)).toBeVisible();
  await expect(page.getByLabel("Model id")).toHaveValue(model);
  await page.getByLabel("Output", { exact: true }).fill("2.50");
  await page.getByRole("button", { name: "Add price" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Added the price of ${model}.` })).toBeVisible();
  await page.goto(`/console/prices?q=${model}`);
  await expect(page.getByRole("row", { name: new RegExp(model) })).toContainText("$2.50");

  // 2. A plan that sells it.
  await nav.getByRole("link", { name: "Plans" }).click();
  await page.getByRole("link", { name: "New plan" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New plan" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(planName);
  await page.getByRole("checkbox", { name: model }).check();
  await page.getByLabel("Included credit (USD)").fill("5");
  await page.getByRole("button", { name: "Create plan" }).click();
  await expect(page.getByRole("heading", { level: 1, name: planName })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: `Created "${planName}".` })).toBeVisible();

  // 3. A channel for it at the demo's mock upstream.
  await nav.getByRole("link", { name: "Channels" }).click();
  await page.getByRole("link", { name: "Add a channel" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Add a channel" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(channelName);
  await page.getByLabel("Provider").selectOption("OPENAI");
  await page.getByLabel("Base URL").fill(mockUrl);
  await page.getByLabel("Upstream API key").fill(upstreamKey);
  await page.getByLabel("Models", { exact: true }).fill(model);
  await page.getByLabel("Weight").fill("2");
  await page.getByRole("button", { name: "Add channel" }).click();
  await expect(page.getByRole("heading", { level: 1, name: channelName })).toBeVisible();
  const channelId = new URL(page.url()).pathname.split("/").pop()!;
  await expect(page.getByText(`ends in …${upstreamKey.slice(-4)}`)).toBeVisible();

  // 4. Test it: OK and a latency.
  await page.getByRole("button", { name: "Test", exact: true }).click();
  const result = page.getByRole("status").filter({ hasText: /OK|Failed/ });
  await expect(result).toContainText("OK");
  await expect(result).toContainText(/\d+ ms/);
  await expect(result).toContainText("200");

  // The key is in no page's HTML and no RSC payload.
  for (const path of [`/console/channels/${channelId}`, `/console/channels?q=${encodeURIComponent(channelName)}`]) {
    const html = await (await page.request.get(path)).text();
    expect(html).toContain(channelName);
    expect(html).not.toContain(upstreamKey);
    expect(html).not.toContain(upstreamKey.slice(7, 31));
    const rsc = await page.request.get(path, { headers: { RSC: "1" } });
    expect(rsc.headers()["content-type"]).toContain("text/x-component");
    const payload = await rsc.text();
    expect(payload).toContain(channelName);
    expect(payload).not.toContain(upstreamKey.slice(7, 31));
  }

  // 5. A gateway request for the model, on a key of the new plan, is served through the new channel.
  const { key } = await createKey(planName);
  const response = await fetch(`${base()}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hello new channel" }], max_tokens: 4 }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { choices: { message: { content: string } }[]; usage: { prompt_tokens: number; completion_tokens: number } };
  expect(body.choices[0]!.message.content).toMatch(/^Mock reply to: hello/);
  const row = await loggedRequest(response.headers.get("x-request-id")!);
  expect(row).toMatchObject({ status: 200, model, channelId });
  // Priced at the price added above ($1 in, $2.50 out per million tokens; multiplier 1).
  const expected = Math.ceil(body.usage.prompt_tokens * 1 + body.usage.completion_tokens * 2.5);
  expect(Number(row.costMicros)).toBe(expected);

  // 6. Disabled, the channel serves nothing at once: no channel serves the model any more.
  await page.goto(`/console/channels/${channelId}`);
  await page.getByRole("button", { name: `Disable ${channelName}` }).click();
  await expect(page.getByRole("status").filter({ hasText: `"${channelName}" is disabled.` })).toBeVisible();
  const refused = await fetch(`${base()}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "still there?" }], max_tokens: 4 }),
  });
  expect(refused.status).toBe(404);

  // 7. The audit log names the admin for every act.
  await nav.getByRole("link", { name: "Audit log" }).click();
  for (const action of ["price.created", "plan.created", "channel.created", "channel.tested", "channel.disabled"]) {
    const entry = page
      .getByRole("row", { name: new RegExp(action.replace(".", "\\.")) })
      .filter({ hasText: action.startsWith("channel") ? channelName : action === "plan.created" ? planName : model });
    await expect(entry.first(), action).toContainText(DEMO.admin);
  }
  const auditHtml = await (await page.request.get("/console/audit")).text();
  expect(auditHtml).not.toContain(upstreamKey.slice(7, 31));
});
