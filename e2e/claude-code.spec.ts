import { expect, test, type APIRequestContext, type TestInfo } from "@playwright/test";
import { runClaudeCode, type ClaudeCodeRun } from "./fixtures/claude-code";
import { createKey } from "./fixtures/cli";

// The real Claude Code CLI (2.1.112, a devDependency) in print mode against the running gateway
// and the bundled mock upstream. What it sends, as observed: `POST /v1/messages?beta=true`,
// streaming, x-api-key (or Bearer with ANTHROPIC_AUTH_TOKEN), `anthropic-version: 2023-06-01`,
// `anthropic-beta: claude-code-20250219,interleaved-thinking-2025-05-14,
// context-management-2025-06-27,…`, `x-app: cli`, a body with 23 tools, `thinking`,
// `context_management`, `output_config`, cache_control'd system blocks and max_tokens 32000.
// Without a proxy configured it also sends a fire-and-forget `HEAD /` to warm the connection.

const RUN_TIMEOUT_MS = 60_000;

function gateway(baseURL: string | undefined): string {
  if (!baseURL) throw new Error("baseURL (E2E_BASE_URL) is set by playwright.config.ts");
  return baseURL;
}

/** A fresh Starter order and its key, from the operations CLI (printed once, as support hands it out). */
async function createStarterKey(): Promise<string> {
  const { key } = await createKey("Starter 30");
  expect(key).toMatch(/^sk-gate-[0-9A-Za-z]{49}$/);
  return key;
}

interface MonthUsage {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  spend_usd: number;
}

/** The key's own view of this month's usage (`GET /v1/key`). */
async function monthUsage(request: APIRequestContext, key: string): Promise<MonthUsage> {
  const response = await request.get("/v1/key", { headers: { "x-api-key": key } });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { usage_this_month: MonthUsage }).usage_this_month;
}

/** Keeps what Claude Code printed and logged with the test's results (the key masked). */
async function attachRun(testInfo: TestInfo, name: string, run: ClaudeCodeRun, key: string): Promise<void> {
  const mask = (text: string) => text.replaceAll(key, "sk-gate-…");
  const summary = { code: run.code, signal: run.signal, timedOut: run.timedOut, durationMs: run.durationMs, outboundAttempts: run.outboundAttempts };
  await testInfo.attach(`${name}: summary`, { body: JSON.stringify(summary, null, 2), contentType: "application/json" });
  await testInfo.attach(`${name}: stdout`, { body: mask(run.stdout), contentType: "text/plain" });
  await testInfo.attach(`${name}: stderr`, { body: mask(run.stderr), contentType: "text/plain" });
  await testInfo.attach(`${name}: debug log`, { body: mask(run.debugLog), contentType: "text/plain" });
}

const apiRequests = (run: ClaudeCodeRun) => run.debugLog.match(/\[API REQUEST\] \/v1\/messages/g)?.length ?? 0;

test.describe("Claude Code against the gateway", () => {
  test.describe.configure({ timeout: RUN_TIMEOUT_MS + 60_000 });

  test("answers a print-mode prompt through /v1/messages, metered on the key", async ({ request, baseURL }, testInfo) => {
    const key = await createStarterKey();
    const before = await monthUsage(request, key);

    const run = await runClaudeCode({
      baseUrl: gateway(baseURL),
      credential: { apiKey: key },
      args: ["-p", "Say hello", "--model", "claude-sonnet-4-6", "--output-format", "json"],
      timeoutMs: RUN_TIMEOUT_MS,
    });
    await attachRun(testInfo, "claude-sonnet-4-6", run, key);
    // With ANTHROPIC_API_KEY, Claude Code checks https://api.anthropic.com/api/claude_code/organizations/metrics_enabled
    // on exit (with the key in x-api-key), whatever the opt-out variables say; the proxy refuses it.
    testInfo.annotations.push({ type: "outbound attempts (refused)", description: run.outboundAttempts.join("; ") || "none" });

    expect(run.timedOut, "Claude Code did not finish within the timeout").toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json, `stdout was not a JSON result: ${run.stdout.slice(0, 500)}`).toMatchObject({ type: "result", subtype: "success", is_error: false });
    // Claude Code wraps the prompt (system reminders first), so the mock echoes the start of that.
    expect(run.json?.result).toContain("Mock reply to:");
    // One streamed call to the model asked for; print mode asks no small/fast (Haiku) model for anything.
    expect(apiRequests(run)).toBe(1);
    expect(Object.keys(run.json?.modelUsage ?? {})).toEqual(["claude-sonnet-4-6"]);

    // The gateway metered that one request with the upstream's own counts: the same numbers
    // Claude Code read from the stream it relayed.
    await expect.poll(async () => (await monthUsage(request, key)).requests, { timeout: 15_000 }).toBe(before.requests + 1);
    const after = await monthUsage(request, key);
    expect(after.input_tokens - before.input_tokens).toBe(run.json?.usage?.input_tokens);
    expect(after.output_tokens - before.output_tokens).toBe(run.json?.usage?.output_tokens);
    expect(after.spend_usd).toBeGreaterThan(before.spend_usd);
  });

  test("the key as a bearer token (ANTHROPIC_AUTH_TOKEN) works and nothing else leaves the machine", async ({ request, baseURL }, testInfo) => {
    const key = await createStarterKey();
    const run = await runClaudeCode({
      baseUrl: gateway(baseURL),
      credential: { authToken: key },
      args: ["-p", "Say hello", "--model", "claude-haiku-4-5", "--output-format", "json"],
      timeoutMs: RUN_TIMEOUT_MS,
    });
    await attachRun(testInfo, "bearer", run, key);

    expect(run.timedOut, "Claude Code did not finish within the timeout").toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json?.result).toContain("Mock reply to:");
    // Without an API key Claude Code skips its metrics opt-out check, so the key goes nowhere but here.
    expect(run.outboundAttempts).toEqual([]);
    await expect.poll(async () => (await monthUsage(request, key)).requests, { timeout: 15_000 }).toBe(1);
  });

  test("a model outside the plan fails at once with the gateway's model_not_allowed message", async ({ baseURL }, testInfo) => {
    const key = await createStarterKey();
    const run = await runClaudeCode({
      baseUrl: gateway(baseURL),
      credential: { apiKey: key },
      args: ["-p", "Say hello", "--model", "claude-opus-4-1", "--output-format", "json"],
      // Otherwise 2.1.112 silently asks for claude-opus-4-7 instead (see the next test).
      env: { CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP: "1" },
      timeoutMs: RUN_TIMEOUT_MS,
    });
    await attachRun(testInfo, "claude-opus-4-1", run, key);

    expect(run.timedOut, "Claude Code hung on the refusal").toBe(false);
    expect(run.code).not.toBe(0);
    expect(run.json).toMatchObject({ is_error: true, api_error_status: 403 });
    // Claude Code prints "Failed to authenticate. API Error: 403 {…}" followed by the gateway's body.
    const result = run.json?.result ?? "";
    expect(result).toContain("API Error: 403");
    const body = JSON.parse(result.slice(result.indexOf("{"))) as { type: string; error: { type: string; code?: string; message: string } };
    expect(body).toMatchObject({ type: "error", error: { type: "permission_error", code: "model_not_allowed" } });
    expect(body.error.message).toContain('may not use the model "claude-opus-4-1"');
    expect(body.error.message).toMatch(/Allowed models: .*claude-sonnet-4-6/);
    // A 403 is final: asked once, not retried.
    expect(apiRequests(run)).toBe(1);
  });

  test("Claude Code remaps legacy Opus names, so claude-opus-4-1 arrives as claude-opus-4-7", async ({ baseURL }, testInfo) => {
    const key = await createStarterKey();
    const run = await runClaudeCode({
      baseUrl: gateway(baseURL),
      credential: { apiKey: key },
      args: ["-p", "Say hello", "--model", "claude-opus-4-1", "--output-format", "json"],
      timeoutMs: RUN_TIMEOUT_MS,
    });
    await attachRun(testInfo, "claude-opus-4-1 remapped", run, key);

    expect(run.timedOut, "Claude Code hung on the refusal").toBe(false);
    expect(run.code).not.toBe(0);
    // The gateway answers 404 model_not_found for the name it was sent; Claude Code then replaces
    // the gateway's message with its own, naming the remapped model.
    expect(run.json).toMatchObject({ is_error: true, api_error_status: 404 });
    expect(run.json?.result).toContain("claude-opus-4-7");
    expect(run.debugLog).toContain("model_not_found");
  });
});
