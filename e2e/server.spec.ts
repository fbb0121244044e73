import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";

const exec = promisify(execFile);

// The running `npm start` server: health, clock, and the operations CLI while it holds the
// embedded database.
test.describe("the running server", () => {
  test("reports health and the server clock", async ({ request }) => {
    const health = await request.get("/api/health");
    expect(health.status()).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", database: { ok: true, kind: "pglite" }, version: expect.any(String) });

    const before = Date.now();
    const time = await request.get("/api/time");
    expect(time.headers()["cache-control"]).toBe("no-store");
    const body = (await time.json()) as { now: string; epochMs: number };
    expect(Math.abs(body.epochMs - before)).toBeLessThan(5_000);
    expect(new Date(body.now).getTime()).toBe(body.epochMs);
  });

  test("the CLI works while the server holds the embedded database", async () => {
    const cli = (...args: string[]) =>
      exec(process.execPath, ["--import", "tsx", "--import", "./scripts/node-hooks.mjs", "cli/index.ts", ...args], {
        env: { ...process.env, GATEHOUSE_DATA_DIR: process.env.E2E_DATA_DIR, DATABASE_URL: "" },
      });
    const plans = JSON.parse((await cli("plan", "list", "--json")).stdout) as { ok: boolean; plans: { name: string }[] };
    expect(plans.ok).toBe(true);
    expect(plans.plans.map((p) => p.name)).toEqual(expect.arrayContaining(["Pro 30", "Starter 30"]));
    const channels = JSON.parse((await cli("channel", "list", "--json")).stdout) as { channels: { name: string; enabled: boolean }[] };
    // No provider key is configured for the tests, so the bundled mock serves all three protocols.
    expect(channels.channels.filter((c) => c.enabled).map((c) => c.name)).toEqual(
      expect.arrayContaining(["Demo mock (Anthropic)", "Demo mock (Gemini)", "Demo mock (OpenAI)"]),
    );
  });
});
