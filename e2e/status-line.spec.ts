import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { statusLineScript } from "../lib/guide/setup-snippets";
import { buyAndSignIn, reveal } from "./fixtures/marketplace";

// The setup guide's Claude Code status line, run the way Claude Code runs it: a command with the
// session's JSON on stdin and Claude Code's environment; its first line of output is shown.

const SESSION = JSON.stringify({ session_id: "s1", model: { id: "claude-sonnet-4-6", display_name: "Sonnet" }, workspace: { current_dir: "/tmp" } });

test("the status line shows the plan, the time left and no key", async ({ page, request, baseURL }) => {
  test.setTimeout(60_000);
  await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 3 * 86_400_000 + 7_200_000) }, "Starter 30");
  const key = await reveal(page);
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-status-line-"));
  try {
    const script = join(dir, "gatehouse-status.mjs");
    writeFileSync(script, statusLineScript(baseURL!));
    const run = (token: string) =>
      execFileSync(process.execPath, [script], {
        input: SESSION,
        env: { PATH: process.env.PATH, ANTHROPIC_BASE_URL: baseURL, ANTHROPIC_AUTH_TOKEN: token, TMPDIR: dir, NODE_ENV: "production" },
      })
        .toString()
        .trim();
    const line = run(key);
    expect(line).toMatch(/^Gatehouse Starter 30: 3d (1|2)h left · \$\d+\.\d\d credit$/);
    expect(line).not.toContain(key);
    // A refused key says why, in the API's own code.
    expect(run(`${key.slice(0, -4)}zzzz`)).toMatch(/^Gatehouse: (invalid_api_key|malformed_api_key)$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
