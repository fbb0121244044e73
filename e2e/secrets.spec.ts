import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { createPostgresDatabase, startServerProcess } from "./fixtures/server-process";

// A key used every way (good, malformed, refused, failing upstream) never shows up in the server's
// output or in any table: only its HMAC, last four characters and ids are stored or logged.
test("an API key never appears in the server's logs or the database", async () => {
  test.setTimeout(180_000);
  const db = await createPostgresDatabase("gatehouse_secrets");
  const server = await startServerProcess({ DATABASE_URL: db.url, LOG_LEVEL: "debug" });
  try {
    const { apiKey } = await server.cli<{ apiKey: { key: string } }>(
      "order",
      "create",
      "--email",
      `secret-${randomBytes(3).toString("hex")}@example.com`,
      "--plan",
      "Starter 30",
    );
    const key = apiKey.key;
    const post = (path: string, headers: Record<string, string>, body: unknown) =>
      fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    const chat = { model: "gpt-4.1-mini", max_tokens: 4, messages: [{ role: "user", content: "hi" }] };
    expect((await post("/v1/chat/completions", { authorization: `Bearer ${key}` }, chat)).status).toBe(200);
    expect((await post("/v1/chat/completions", { authorization: `Bearer ${key}` }, { ...chat, stream: true })).status).toBe(200);
    expect((await post("/v1/chat/completions", { authorization: `Bearer ${key.slice(0, 20)} ${key.slice(20)}` }, chat)).status).toBe(401);
    expect((await post("/v1/chat/completions", { authorization: `Bearer ${key}` }, { ...chat, model: "claude-opus-4-1" })).status).toBe(403);
    expect((await post(`/v1beta/models/gemini-2.5-flash:generateContent?key=${key}`, {}, { contents: [{ parts: [{ text: "hi" }] }] })).status).toBe(200);
    expect((await fetch(`${server.url}/v1/key`, { headers: { "x-api-key": key } })).status).toBe(200);
    // A model whose only channel is gone (the CLI ran in its own process here, so the server sees
    // the change when its catalog copy expires, within seconds).
    await server.cli("channel", "disable", "Demo mock (Anthropic)");
    await expect
      .poll(
        async () =>
          (
            await post(
              "/v1/messages",
              { "x-api-key": key, "anthropic-version": "2023-06-01" },
              { model: "claude-haiku-4-5", max_tokens: 4, messages: [{ role: "user", content: "hi" }] },
            )
          ).status,
        { timeout: 10_000 },
      )
      .toBe(404);

    await expect
      .poll(async () => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM request_logs"))[0]!.n), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(7);
    expect(await server.stop()).toBe(0);
    expect(server.output()).not.toContain(key);
    expect(server.output()).not.toContain(key.slice(8, 40));

    // Every text column of every table, as text.
    const tables = await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    for (const { table_name } of tables) {
      const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${table_name}" t`);
      for (const r of rows) expect(r.row, `table ${table_name}`).not.toContain(key.slice(8));
    }
  } finally {
    await server.stop();
    await db.drop();
  }
});
