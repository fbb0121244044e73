import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { createKey, gatehouse } from "./fixtures/cli";
import { BODY, burstThenSpendOut, keyStatus, MODEL, send } from "./fixtures/limits-load";

// Limits and money over HTTP on the main test server (the arithmetic: e2e/fixtures/limits-load.ts).
// The same across two instances: limits-instances.spec.ts.

test.describe("spend and rate limits on one instance", () => {
  test("200 concurrent requests on a balance that covers 18 upper bounds: no overspend, the rest get 402, the balance never goes below zero", async () => {
    const name = `E2E race ${randomBytes(3).toString("hex")}`;
    await gatehouse("plan", "add", "--name", name, "--models", MODEL, "--days", "1", "--rpm", "100000", "--credit", "0.0001");
    const { key } = await createKey(name);
    const base = process.env.E2E_BASE_URL!;
    const { sent } = await burstThenSpendOut(() => send(base, key));
    await expect.poll(async () => (await keyStatus(base, key)).usage_this_month.requests, { timeout: 10_000 }).toBe(sent);
    const status = await keyStatus(base, key);
    expect(status.order.balance_usd).toBe(0.00001);
    expect(status.usage_this_month.spend_usd).toBeCloseTo(0.00009, 10); // 18 × 5 micro-dollars, no more
    // The budget is spent, but the key can still see itself and its models.
    expect((await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  });

  test("rpm + 1 requests in a minute: the last gets 429 with Retry-After, and every answer carries the rate-limit headers", async () => {
    const name = `E2E rpm ${randomBytes(3).toString("hex")}`;
    await gatehouse("plan", "add", "--name", name, "--models", `${MODEL},claude-haiku-4-5`, "--days", "1", "--rpm", "3");
    const { key } = await createKey(name);
    const base = process.env.E2E_BASE_URL!;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await send(base, key));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get("x-ratelimit-remaining-requests"))).toEqual(["2", "1", "0", "0"]);
    for (const a of answers) expect(a.headers.get("x-ratelimit-limit-requests")).toBe("3");
    const limited = answers[3]!;
    expect(limited.body.error?.code).toBe("rate_limit_exceeded");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+(\.\d+)?m?s$|^\d+m\d+s$/);

    // Anthropic-style clients get Anthropic's headers (same key, same budget: already spent).
    const anthropic = await fetch(`${base}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(anthropic.status).toBe(429);
    expect(anthropic.headers.get("anthropic-ratelimit-requests-limit")).toBe("3");
    expect(anthropic.headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    expect(anthropic.headers.get("anthropic-ratelimit-requests-reset")).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "rate_limit_error", code: "rate_limit_exceeded" } });
  });
});

test.describe("a key's own limits (key limits)", () => {
  async function keyOnOwnPlan(extra: string[] = []) {
    const name = `E2E key limits ${randomBytes(3).toString("hex")}`;
    await gatehouse("plan", "add", "--name", name, "--models", `${MODEL},gpt-4o-mini`, "--days", "1", "--rpm", "1000", ...extra);
    return createKey(name);
  }
  const base = () => process.env.E2E_BASE_URL!;
  const sendFrom = (key: string, ip: string) =>
    fetch(`${base()}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-forwarded-for": ip },
      body: BODY,
    });

  test("a monthly spend limit refuses with 402 api_key_quota_exceeded and says when it resets", async () => {
    const { key, keyId } = await keyOnOwnPlan();
    // 23 micro-dollars: two requests (5 + 14 and 10 + 14 ≤ 23 with the third one's reservation refused)
    await gatehouse("key", "limits", keyId, "--monthly-usd", "0.000023");
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(base(), key)).status);
    expect(statuses).toEqual([200, 200, 402]);
    const refused = await send(base(), key);
    expect(refused.body.error?.code).toBe("api_key_quota_exceeded");
    const now = new Date();
    const reset = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
    expect(JSON.stringify(refused.body)).toContain(reset);
  });

  test("an IP allowlist admits listed addresses only and names the refused one", async () => {
    const { key, keyId } = await keyOnOwnPlan();
    await gatehouse("key", "limits", keyId, "--ips", "198.51.100.0/24,2001:db8::/32");
    expect((await sendFrom(key, "198.51.100.7")).status).toBe(200);
    expect((await sendFrom(key, "2001:db8::1")).status).toBe(200);
    const refused = await sendFrom(key, "203.0.113.5");
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("ip_not_allowed");
    expect(body.error.message).toContain("203.0.113.5");
    expect((await gatehouse("key", "limits", keyId, "--ips", "not-an-ip").catch((e: Error) => e)) instanceof Error).toBe(true);
  });

  test("a model scope narrows the plan, and an admin rpm override applies at once", async () => {
    const { key, keyId } = await keyOnOwnPlan();
    await gatehouse("key", "limits", keyId, "--models", "gpt-4o-mini", "--rpm", "1");
    const models = (await (await fetch(`${base()}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(["gpt-4o-mini"]);
    const outside = await send(base(), key);
    expect(outside.status).toBe(403);
    expect(outside.body.error?.code).toBe("model_not_allowed");
    const inScope = () =>
      fetch(`${base()}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o-mini", max_tokens: 2, messages: [{ role: "user", content: "hi" }] }),
      });
    expect((await inScope()).status).toBe(200);
    const limited = await inScope();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-ratelimit-limit-requests")).toBe("1");
  });
});
