import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { gatehouse } from "./fixtures/cli";

// The running `npm start` server: health, clock, and the operations CLI while it holds the
// embedded database.
test.describe("the running server", () => {
  test("reports health and the server clock", async ({ request }) => {
    const health = await request.get("/api/health");
    expect(health.status()).toBe(200);
    expect(await health.json()).toMatchObject({
      status: "ok",
      database: { ok: true, kind: "pglite" },
      version: expect.any(String),
      // The build `npm start` runs (the web server's working directory is this checkout).
      release: readFileSync(join(process.cwd(), ".next/BUILD_ID"), "utf8").trim(),
    });

    const before = Date.now();
    const time = await request.get("/api/time");
    expect(time.headers()["cache-control"]).toBe("no-store");
    const body = (await time.json()) as { now: string; epochMs: number };
    expect(Math.abs(body.epochMs - before)).toBeLessThan(5_000);
    expect(new Date(body.now).getTime()).toBe(body.epochMs);
  });

  test("the CLI works while the server holds the embedded database", async () => {
    const plans = await gatehouse<{ plans: { name: string }[] }>("plan", "list");
    expect(plans.ok).toBe(true);
    expect(plans.plans.map((p) => p.name)).toEqual(expect.arrayContaining(["Pro 30", "Starter 30"]));
    const channels = await gatehouse<{ channels: { name: string; enabled: boolean }[] }>("channel", "list");
    // No provider key is configured for the tests, so the bundled mock serves all three protocols.
    expect(channels.channels.filter((c) => c.enabled).map((c) => c.name)).toEqual(
      expect.arrayContaining(["Demo mock (Anthropic)", "Demo mock (Gemini)", "Demo mock (OpenAI)"]),
    );
  });
});
