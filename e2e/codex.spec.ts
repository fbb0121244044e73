import { expect, test, type APIRequestContext, type TestInfo } from "@playwright/test";
import { MOCK_COMMAND_TRIGGER } from "@/lib/mock-upstream";
import { createKey } from "./fixtures/cli";
import { runCodex, type CodexRun } from "./fixtures/codex";

// The real Codex CLI (0.171.0, a devDependency) with `codex exec` against the running gateway and
// the bundled mock upstream, configured as buyers are told to (a custom provider in config.toml,
// wire_api = "responses"). What it sends, as observed: `POST /v1/responses`, Bearer, streaming,
// `store: false`, `include: ["reasoning.encrypted_content"]`, `reasoning: {summary: "auto"}`,
// `prompt_cache_key`, `client_metadata`, function tools, a `namespace` group, the hosted
// `web_search`, developer and user messages; the whole history again on the next request.

const RUN_TIMEOUT_MS = 60_000;
const COMMAND_OUTPUT = "gatehouse-codex-ok";

interface MonthUsage {
  requests: number;
  input_tokens: number;
  output_tokens: number;
}

async function monthUsage(request: APIRequestContext, key: string): Promise<MonthUsage> {
  const response = await request.get("/v1/key", { headers: { authorization: `Bearer ${key}` } });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { usage_this_month: MonthUsage }).usage_this_month;
}

async function attachRun(testInfo: TestInfo, name: string, run: CodexRun, key: string): Promise<void> {
  const mask = (text: string) => text.replaceAll(key, "sk-gate-…");
  await testInfo.attach(`${name}: stdout`, { body: mask(run.stdout), contentType: "text/plain" });
  await testInfo.attach(`${name}: stderr`, { body: mask(run.stderr), contentType: "text/plain" });
}

test.describe("Codex CLI against the gateway", () => {
  test.describe.configure({ timeout: RUN_TIMEOUT_MS + 60_000 });

  // An OpenAI model (the request passes through to the channel's /v1/responses) and a Claude
  // model (translated to Anthropic Messages, web_search left out).
  for (const model of ["gpt-4.1-mini", "claude-sonnet-4-6"]) {
    test(`${model}: a turn with a command round trip, each request metered once`, async ({ request, baseURL }, testInfo) => {
      const { key } = await createKey("Starter 30");
      const before = await monthUsage(request, key);
      const run = await runCodex({
        baseUrl: baseURL!,
        key,
        model,
        prompt: `Please ${MOCK_COMMAND_TRIGGER}: echo ${COMMAND_OUTPUT}`,
        timeoutMs: RUN_TIMEOUT_MS,
      });
      await attachRun(testInfo, model, run, key);

      expect(run.timedOut, "Codex did not finish within the timeout").toBe(false);
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      // The mock asked for exec_command; Codex ran it and sent its output back as function_call_output.
      expect(run.commands).toHaveLength(1);
      expect(run.commands[0]).toMatchObject({ status: "completed", exit_code: 0 });
      expect(run.commands[0]?.aggregated_output).toContain(COMMAND_OUTPUT);
      // The mock answers a tool result (what Codex reports of the command) with text.
      expect(run.answer).toMatch(/^Mock reply to:/);
      // Codex also looks for updates and feature flags (github.com, chatgpt.com): refused by the
      // proxy, harmlessly. Model traffic went nowhere but the gateway.
      testInfo.annotations.push({ type: "outbound attempts (refused)", description: run.outboundAttempts.join("; ") || "none" });
      expect(run.outboundAttempts.filter((line) => /openai\.com/.test(line))).toEqual([]);

      // Two requests (the call, then the answer), each metered once with the counts Codex read.
      await expect.poll(async () => (await monthUsage(request, key)).requests, { timeout: 15_000 }).toBe(before.requests + 2);
      const after = await monthUsage(request, key);
      expect(run.usage).toBeDefined();
      expect(after.input_tokens - before.input_tokens).toBe(run.usage!.input_tokens);
      expect(after.output_tokens - before.output_tokens).toBe(run.usage!.output_tokens);
    });
  }
});
