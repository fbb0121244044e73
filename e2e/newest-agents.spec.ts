import { expect, test, type APIRequestContext, type TestInfo } from "@playwright/test";
import { claudeCodeNewestVersion, runClaudeCode, type ClaudeCodeRun } from "./fixtures/claude-code";
import { createKey, gatehouse, loggedRequest } from "./fixtures/cli";
import { runGeminiCli, type GeminiCliRun } from "./fixtures/gemini-cli";
import { buildSetupSnippets, exampleModels } from "@/lib/guide/setup-snippets";
import { SEED_PLANS } from "@/lib/seed/plans";

// The newest coding agents as buyers install them, through the gateway to the bundled mock:
// Claude Code's native release (the devDependency claude-code-newest, pinned exactly) with
// --model and without it, and Gemini CLI (pinned exactly) on a Gemini and on a Claude model. A
// plan made here covers Claude Code's default model (claude-opus-5-5) with an operator-set alias.
// Each run is one prompt in print/headless mode: seconds, not minutes.

const RUN_TIMEOUT_MS = 60_000;
const PLAN = "Agents e2e";
const CLAUDE_DEFAULT = "claude-opus-5-5";

function gateway(baseURL: string | undefined): string {
  if (!baseURL) throw new Error("baseURL (E2E_BASE_URL) is set by playwright.config.ts");
  return baseURL;
}

interface KeyStatus {
  models: string[];
  model_aliases: Record<string, string>;
  usage_this_month: { requests: number; input_tokens: number; output_tokens: number; spend_usd: number };
}

async function keyStatus(request: APIRequestContext, key: string): Promise<KeyStatus> {
  const response = await request.get("/v1/key", { headers: { authorization: `Bearer ${key}` } });
  expect(response.status()).toBe(200);
  return (await response.json()) as KeyStatus;
}

/** Waits until the key has logged `count` requests in all, then checks it stays there briefly (nothing metered twice). */
async function expectRequests(request: APIRequestContext, key: string, count: number): Promise<KeyStatus["usage_this_month"]> {
  await expect.poll(async () => (await keyStatus(request, key)).usage_this_month.requests, { timeout: 15_000 }).toBe(count);
  await new Promise((r) => setTimeout(r, 500));
  const usage = (await keyStatus(request, key)).usage_this_month;
  expect(usage.requests).toBe(count);
  return usage;
}

async function attach(testInfo: TestInfo, name: string, run: ClaudeCodeRun | GeminiCliRun, key: string): Promise<void> {
  const mask = (text: string) => text.replaceAll(key, "sk-gate-…");
  const summary = { code: run.code, timedOut: run.timedOut, durationMs: run.durationMs, outboundAttempts: run.outboundAttempts };
  await testInfo.attach(`${name}: summary`, { body: JSON.stringify(summary, null, 2), contentType: "application/json" });
  await testInfo.attach(`${name}: stdout`, { body: mask(run.stdout), contentType: "text/plain" });
  await testInfo.attach(`${name}: stderr`, { body: mask(run.stderr), contentType: "text/plain" });
  if ("debugLog" in run) await testInfo.attach(`${name}: debug log`, { body: mask(run.debugLog), contentType: "text/plain" });
  if ("calls" in run) await testInfo.attach(`${name}: calls`, { body: mask(JSON.stringify(run.calls, null, 2)), contentType: "application/json" });
}

test.describe("the newest coding agents against the gateway", () => {
  test.describe.configure({ timeout: RUN_TIMEOUT_MS + 60_000 });

  test.beforeAll(async () => {
    await gatehouse(
      "plan",
      "add",
      "--name",
      PLAN,
      "--models",
      "claude-sonnet-4-6,claude-haiku-4-5,gemini-2.5-flash",
      "--days",
      "30",
      "--rpm",
      "600",
      "--credit",
      "20",
      "--alias",
      `${CLAUDE_DEFAULT}=claude-sonnet-4-6`,
    );
  });

  test("a plan alias is listed, served and billed as its model, and logged under both names", async ({ request }) => {
    const { key } = await createKey(PLAN);
    const status = await keyStatus(request, key);
    expect(status.model_aliases).toEqual({ [CLAUDE_DEFAULT]: "claude-sonnet-4-6" });
    const models = (await (await request.get("/v1/models", { headers: { authorization: `Bearer ${key}` } })).json()) as {
      data: { id: string; alias_for?: string }[];
    };
    expect(models.data).toContainEqual(expect.objectContaining({ id: CLAUDE_DEFAULT, alias_for: "claude-sonnet-4-6" }));

    const body = { max_tokens: 64, messages: [{ role: "user", content: "Hello" }] };
    const headers = { "x-api-key": key, "anthropic-version": "2023-06-01" };
    const viaAlias = await request.post("/v1/messages", { headers, data: { ...body, model: CLAUDE_DEFAULT } });
    expect(viaAlias.status()).toBe(200);
    expect(viaAlias.headers()["x-gatehouse-model-alias"]).toBe(`${CLAUDE_DEFAULT}=claude-sonnet-4-6`);
    expect(((await viaAlias.json()) as { model: string }).model).toBe("claude-sonnet-4-6");
    const direct = await request.post("/v1/messages", { headers, data: { ...body, model: "claude-sonnet-4-6" } });
    expect(direct.status()).toBe(200);

    const aliased = await loggedRequest(viaAlias.headers()["x-request-id"]!);
    const plain = await loggedRequest(direct.headers()["x-request-id"]!);
    expect(aliased).toMatchObject({ model: "claude-sonnet-4-6", requestedModel: CLAUDE_DEFAULT, status: 200 });
    expect(plain).toMatchObject({ model: "claude-sonnet-4-6", requestedModel: null });
    // The same tokens cost the same: the alias is billed at its model's price.
    expect([aliased.inputTokens, aliased.outputTokens]).toEqual([plain.inputTokens, plain.outputTokens]);
    expect(aliased.costMicros).toBe(plain.costMicros);
  });

  test(`Claude Code ${claudeCodeNewestVersion()} (native) with --model answers through /v1/messages, metered once`, async ({ request, baseURL }, testInfo) => {
    const { key } = await createKey(PLAN);
    const run = await runClaudeCode({
      baseUrl: gateway(baseURL),
      credential: { authToken: key },
      newest: true,
      args: ["-p", "Say hello", "--model", "claude-sonnet-4-6", "--output-format", "json"],
      timeoutMs: RUN_TIMEOUT_MS,
    });
    await attach(testInfo, "newest --model", run, key);
    expect(run.timedOut, "Claude Code did not finish within the timeout").toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ type: "result", subtype: "success", is_error: false });
    expect(run.json?.result).toContain("Mock reply to:");
    expect(run.outboundAttempts).toEqual([]);
    const usage = await expectRequests(request, key, 1);
    expect(usage.output_tokens).toBe(run.json?.usage?.output_tokens);
  });

  test(`Claude Code ${claudeCodeNewestVersion()} (native) without --model asks for its default, which the plan's alias covers`, async ({
    request,
    baseURL,
  }, testInfo) => {
    const { key } = await createKey(PLAN);
    const run = await runClaudeCode({
      baseUrl: gateway(baseURL),
      credential: { authToken: key },
      newest: true,
      args: ["-p", "Say hello", "--output-format", "json"],
      timeoutMs: RUN_TIMEOUT_MS,
    });
    await attach(testInfo, "newest default model", run, key);
    expect(run.timedOut, "Claude Code did not finish within the timeout").toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ type: "result", subtype: "success", is_error: false });
    expect(run.json?.result).toContain("Mock reply to:");
    expect(run.debugLog).toContain(CLAUDE_DEFAULT);
    await expectRequests(request, key, 1);
  });

  test(`Claude Code ${claudeCodeNewestVersion()} (native) with the setup guide's model lines asks only for the plan's models`, async ({
    request,
    baseURL,
  }, testInfo) => {
    const { key } = await createKey("Starter 30");
    const starter = SEED_PLANS.find((p) => p.name === "Starter 30")!.models;
    const snippet = buildSetupSnippets({ origin: gateway(baseURL), ...exampleModels(starter) }).find((s) => s.id === "claude-code")!;
    const env: Record<string, string> = {};
    for (const [, name, value] of snippet.code.matchAll(/^export (\w+)="([^"]*)"$/gm))
      if (!/^ANTHROPIC_(BASE_URL|AUTH_TOKEN)$/.test(name!)) env[name!] = value!;
    expect(env).toMatchObject({ ANTHROPIC_MODEL: "claude-sonnet-4-6", ANTHROPIC_DEFAULT_HAIKU_MODEL: "claude-haiku-4-5" });
    const run = await runClaudeCode({
      baseUrl: gateway(baseURL),
      credential: { authToken: key },
      newest: true,
      env,
      args: ["-p", "Say hello", "--output-format", "json"],
      timeoutMs: RUN_TIMEOUT_MS,
    });
    await attach(testInfo, "newest with the guide's lines", run, key);
    expect(run.timedOut, "Claude Code did not finish within the timeout").toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ type: "result", subtype: "success", is_error: false });
    expect(Object.keys(run.json?.modelUsage ?? {})).toEqual(["claude-sonnet-4-6"]);
    await expectRequests(request, key, 1);
  });

  for (const model of ["gemini-2.5-flash", "claude-sonnet-4-6"]) {
    test(`Gemini CLI on ${model} answers through the gateway, metered once`, async ({ request, baseURL }, testInfo) => {
      const { key } = await createKey(PLAN);
      const run = await runGeminiCli({ baseUrl: gateway(baseURL), key, model, prompt: "Say hello", timeoutMs: RUN_TIMEOUT_MS });
      await attach(testInfo, `gemini-cli ${model}`, run, key);
      expect(run.timedOut, "Gemini CLI did not finish within the timeout").toBe(false);
      expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
      expect(run.json?.response).toContain("Mock reply to:");
      expect(run.outboundAttempts).toEqual([]);
      // One streamed call for the model asked for, answered by the gateway; metered once.
      expect(run.calls.map((c) => [c.method, c.path.replace(/\?.*/, ""), c.status])).toEqual([["POST", `/v1beta/models/${model}:streamGenerateContent`, 200]]);
      await expectRequests(request, key, 1);
    });
  }
});
