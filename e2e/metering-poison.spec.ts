import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { expect, test } from "@playwright/test";
import { createPostgresDatabase, startServerProcess, type ServerProcess } from "./fixtures/server-process";

// A model name no model can have (a NUL, an unpaired surrogate, a control character, 10,000
// characters) is refused at the edge in every protocol, and nothing it carries can stop the usage
// writer: the requests after it are all logged and billed to the micro-dollar. On both engines; the
// books are read from the database once the server has stopped.

const POISONS: [string, string][] = [
  ["NUL", "gpt-4.1-mini\u0000"],
  ["unpaired surrogate", "gpt-4.1-mini\ud800"],
  ["control character", "gpt-4.1-mini\u0007"],
  ["10,000 characters", "g".repeat(10_000)],
];

// Gemini names the model in the path: a NUL and a control character percent-encoded; an unpaired
// surrogate has no UTF-8 form, so its percent-encoding is invalid.
const GEMINI_POISONS: [string, string][] = [
  ["NUL", "gemini-2.5-flash%00"],
  ["unpaired surrogate", "gemini-2.5-flash%ED%A0%80"],
  ["control character", "gemini-2.5-flash%07"],
  ["10,000 characters", "g".repeat(10_000)],
];

type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

for (const engine of ["pglite", "postgres"] as const) {
  test(`${engine}: refused model names, then 100 requests in three protocols all logged and billed exactly`, async () => {
    test.setTimeout(240_000);
    const pg = engine === "postgres" ? await createPostgresDatabase("gatehouse_poison") : null;
    let server: ServerProcess | undefined;
    try {
      server = await startServerProcess(pg ? { DATABASE_URL: pg.url } : {});
      const s = server;
      await s.cli(
        "plan",
        "add",
        "--name",
        "Poison",
        "--models",
        "gpt-4.1-mini,claude-haiku-4-5,gemini-2.5-flash",
        "--days",
        "1",
        "--rpm",
        "100000",
        "--credit",
        "100",
      );
      const created = await s.cli<{ order: { id: string }; apiKey: { key: string } }>("order", "create", "--email", "poison@example.com", "--plan", "Poison");
      const key = created.apiKey.key;

      const openai = (model: string) =>
        fetch(`${s.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: "user", content: "hello there" }] }),
        });
      const anthropic = (model: string) =>
        fetch(`${s.url}/v1/messages`, {
          method: "POST",
          headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
          body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: "user", content: "hello there" }] }),
        });
      const gemini = (encodedModel: string) =>
        fetch(`${s.url}/v1beta/models/${encodedModel}:generateContent`, {
          method: "POST",
          headers: { "x-goog-api-key": key, "content-type": "application/json" },
          body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hello there" }] }], generationConfig: { maxOutputTokens: 8 } }),
        });

      for (const [what, model] of POISONS) {
        const o = await openai(model);
        expect(o.status, `OpenAI, ${what}`).toBe(400);
        expect(((await o.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: "invalid_request", param: "model" });
        const a = await anthropic(model);
        expect(a.status, `Anthropic, ${what}`).toBe(400);
        expect(await a.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      }
      for (const [what, model] of GEMINI_POISONS) {
        const g = await gemini(model);
        expect(g.status, `Gemini, ${what}`).toBe(400);
        expect(await g.json()).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
      }

      // 100 ordinary requests, ten at a time, in the three protocols.
      const ids: string[] = [];
      const calls = [() => openai("gpt-4.1-mini"), () => anthropic("claude-haiku-4-5"), () => gemini("gemini-2.5-flash")];
      for (let round = 0; round < 10; round++) {
        const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => calls[(round * 10 + i) % 3]!()));
        for (const r of answers) {
          expect(r.status).toBe(200);
          ids.push(r.headers.get("x-request-id")!);
          await r.arrayBuffer();
        }
      }
      // While the server runs, the last request reaches the log (the writer is not stuck).
      await expect
        .poll(async () => (await s.cli<{ ok: boolean }>("request", "show", ids.at(-1)!).catch(() => ({ ok: false }))).ok, { timeout: 10_000, intervals: [250] })
        .toBe(true);

      s.process.kill("SIGTERM");
      expect(await s.exited, s.output()).toBe(0);

      let close = async () => {};
      let query: Query;
      if (pg) {
        query = async <T>(sql: string, params?: unknown[]) => (await pg.query(sql, params)) as T[];
      } else {
        const embedded = new PGlite({ dataDir: join(s.dataDir, "pgdata") });
        close = () => embedded.close();
        query = async <T>(sql: string, params?: unknown[]) => (await embedded.query<T>(sql, params)).rows;
      }
      try {
        const [logs] = await query<{ n: number; cost: string }>(
          `SELECT count(*)::int AS n, sum("costMicros")::text AS cost FROM request_logs WHERE "requestId" = ANY($1) AND status = 200`,
          [ids],
        );
        expect(logs!.n).toBe(100);
        // The order's debits (one per batch and day) pay for exactly those 100 requests.
        const [debits] = await query<{ n: number; total: string }>(
          `SELECT sum(requests)::int AS n, sum(-"amountMicros")::text AS total FROM ledger_entries WHERE kind = 'DEBIT' AND "orderId" = $1`,
          [created.order.id],
        );
        expect(debits).toEqual({ n: 100, total: logs!.cost });
        const [order] = await query<{ spent: string }>(
          `SELECT (p."creditMicros" - o."balanceMicros")::text AS spent FROM orders o JOIN plans p ON p.id = o."planId" WHERE o.id = $1`,
          [created.order.id],
        );
        expect(order!.spent).toBe(logs!.cost);
        const [refused] = await query<{ n: number }>(
          `SELECT count(*)::int AS n FROM request_logs WHERE "orderId" = $1 AND status = 400 AND "errorCode" = 'invalid_request'`,
          [created.order.id],
        );
        expect(refused!.n).toBeGreaterThanOrEqual(POISONS.length * 2 + 3);
        const [letters] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM usage_dead_letters`);
        expect(letters!.n).toBe(0);
      } finally {
        await close();
      }
    } finally {
      await server?.stop("SIGKILL");
      await pg?.drop();
    }
  });
}
