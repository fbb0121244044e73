import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertChannel } from "@/lib/channels";
import { createEmptyDatabase, type TestDatabase } from "@/test/databases";
import { queryRows, startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from "@/test/private-services";
import { invalidateCatalog } from "./catalog";
import { gatewayRoute } from "./routes";
import { setUpGateway, TEST_MODEL, testSecrets, untilUsageWritten } from "@/test/gateway";
import { usageWriterStats } from "./usage-writer";

// The gateway when what it stands on fails: its PostgreSQL server restarted in the middle of
// traffic, its Redis gone and back. Each on a server of the test's own (test/private-services.ts),
// through the handlers server.ts serves, with a mock upstream: every request ends with an answer
// or an error from the table, usage is written once it can be and billed once, nothing is left
// unhandled, and the gateway recovers without a restart.

const MODEL = TEST_MODEL;
const KEYS = testSecrets("faults").keys;

interface Answer {
  status: number;
  code: string | null;
  requestId: string | null;
  /** A 200 stream that ended with [DONE], a 200 JSON answer, or an error body in OpenAI's shape. */
  clean: boolean;
  /** The handler itself threw or its body failed: never acceptable. */
  crashed: string | null;
}

async function call(key: string, stream: boolean, content = "hi"): Promise<Answer> {
  const handler = gatewayRoute("POST", "/v1/chat/completions")!;
  try {
    const res = await handler(
      new Request("http://gateway.test/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-gatehouse-client-ip": "203.0.113.7" },
        body: JSON.stringify({ model: MODEL, max_tokens: 10, stream, messages: [{ role: "user", content }] }),
      }),
    );
    const body = await res.text();
    let code: string | null = null;
    let clean: boolean;
    if (res.status === 200) clean = stream ? body.trimEnd().endsWith("data: [DONE]") : body.startsWith("{");
    else {
      const error = (JSON.parse(body) as { error?: { code?: string; type?: string } }).error;
      code = error?.code ?? null;
      clean = typeof error?.type === "string" && code !== null;
    }
    return { status: res.status, code, requestId: res.headers.get("x-request-id"), clean, crashed: null };
  } catch (err) {
    return { status: 0, code: null, requestId: null, clean: false, crashed: String(err) };
  }
}

/** Unhandled rejections and exceptions while `fn` runs. */
async function watchUnhandled<T>(fn: () => Promise<T>): Promise<{ result: T; unhandled: unknown[] }> {
  const unhandled: unknown[] = [];
  const onError = (err: unknown) => unhandled.push(err);
  process.on("unhandledRejection", onError);
  process.on("uncaughtException", onError);
  try {
    return { result: await fn(), unhandled };
  } finally {
    process.off("unhandledRejection", onError);
    process.off("uncaughtException", onError);
  }
}

/** The set-up the faults share: env, a migrated database with a channel to the mock, a plan. */
function setUp(pgUrl: string, env: Record<string, string>) {
  return setUpGateway("faults", pgUrl, env);
}

/**
 * Every answered request has one request-log row, and each order's debits pay for exactly its
 * requests that cost anything: as many requests, the same sum (a debit entry covers the requests
 * of one batch, so the check is per order).
 */
async function expectBilledOnce(url: string, answered: Answer[]): Promise<void> {
  const ids = answered.map((a) => a.requestId!);
  expect(ids.every(Boolean)).toBe(true);
  const rows = await queryRows<{ requestId: string; status: number; cost: string }>(
    url,
    `SELECT "requestId", status, "costMicros"::text AS cost FROM request_logs WHERE "requestId" = ANY($1)`,
    [ids],
  );
  expect(rows).toHaveLength(ids.length);
  for (const row of rows.filter((r) => r.status === 200)) expect(BigInt(row.cost)).toBeGreaterThan(0n);
  const orders = await queryRows<{ logged: string; billed: string; debited: string; paidFor: string }>(
    url,
    `SELECT (SELECT coalesce(sum("costMicros"), 0) FROM request_logs r WHERE r."orderId" = o.id)::text AS logged,
            (SELECT count(*) FROM request_logs r WHERE r."orderId" = o.id AND r."costMicros" > 0)::text AS billed,
            (SELECT coalesce(sum(-"amountMicros"), 0) FROM ledger_entries l WHERE l."orderId" = o.id AND l.kind = 'DEBIT')::text AS debited,
            (SELECT coalesce(sum(requests), 0) FROM ledger_entries l WHERE l."orderId" = o.id AND l.kind = 'DEBIT')::text AS "paidFor"
       FROM orders o WHERE o.id IN (SELECT "orderId" FROM request_logs WHERE "requestId" = ANY($1))`,
    [ids],
  );
  expect(orders.length).toBeGreaterThan(0);
  for (const order of orders) {
    expect(order.debited).toBe(order.logged);
    expect(order.paidFor).toBe(order.billed);
  }
  const [dead] = await queryRows<{ n: string }>(url, `SELECT count(*)::text AS n FROM usage_dead_letters`);
  expect(dead!.n).toBe("0");
}

describe("gateway faults: PostgreSQL restarted in the middle of traffic", () => {
  let pgServer: PrivatePostgres;
  let env: Awaited<ReturnType<typeof setUp>>;

  beforeAll(async () => {
    pgServer = await startPrivatePostgres();
    env = await setUp(pgServer.url, {});
  }, 60_000);
  afterAll(async () => {
    await env?.tearDown();
    await pgServer?.remove();
  });

  it("requests in flight finish or fail with a coded error; usage is written after, billed once; the gateway recovers by itself", async () => {
    const { key } = await env.order({ name: "Faults PG", rpm: 100_000, creditUsd: 10 });
    // Keys first used while the database is down need it (the key cache has not seen them).
    const cold = await Promise.all([1, 2, 3].map(() => env.order({ name: "Faults PG", rpm: 100_000, creditUsd: 10 })));
    expect((await call(key, false)).status).toBe(200); // warm: key and catalog cached

    const { result, unhandled } = await watchUnhandled(async () => {
      const answers: Answer[] = [];
      let running = true;
      const workers = Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; running; i++) answers.push(await call(key, (w + i) % 2 === 0, `pg ${w}-${i}`));
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await pgServer.stop();
      const during = await Promise.all(cold.map((c, i) => call(c.key, i % 2 === 0)));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const queuedWhileDown = usageWriterStats().queued;
      await pgServer.start();
      await new Promise((resolve) => setTimeout(resolve, 500));
      running = false;
      await Promise.all(workers);
      return { answers, during, queuedWhileDown };
    });
    expect(unhandled).toEqual([]);
    const { answers, during, queuedWhileDown } = result;
    // Cached keys kept being served while the database was down; their usage waited in the queue.
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(10);
    expect(queuedWhileDown).toBeGreaterThan(0);
    for (const a of [...answers, ...during]) {
      expect(a.crashed).toBeNull();
      expect(a.clean, JSON.stringify(a)).toBe(true);
    }
    // A key the gateway had not seen could not be looked up: 503 service_unavailable (try again
    // in a moment), never a 500, a hang or a dropped connection.
    for (const a of during) expect(a, JSON.stringify(a)).toMatchObject({ status: 503, code: "service_unavailable" });

    await untilUsageWritten();
    await expectBilledOnce(
      pgServer.url,
      [...answers, ...during].filter((a) => a.status === 200),
    );
    // Recovered by itself: the keys refused during the outage work now.
    for (const c of cold) expect((await call(c.key, true)).status).toBe(200);
  }, 60_000);
});

describe("gateway faults: Redis gone and back", () => {
  let pgServer: PrivatePostgres;
  let redis: PrivateRedis;
  let env: Awaited<ReturnType<typeof setUp>>;

  beforeAll(async () => {
    [pgServer, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    env = await setUp(pgServer.url, { REDIS_URL: redis.url });
  }, 60_000);
  afterAll(async () => {
    await env?.tearDown();
    await redis?.stop();
    await pgServer?.remove();
  });

  it("money fails closed with service_unavailable, rate limits fall back to this instance; both recover when Redis returns, without a restart", async () => {
    const paid = await env.order({ name: "Faults credit", rpm: 100_000, creditUsd: 10 });
    const free = await env.order({ name: "Faults rate", rpm: 3 });
    const answered: Answer[] = [await call(paid.key, false), await call(paid.key, true)];
    expect(answered.map((a) => a.status)).toEqual([200, 200]);

    const { result, unhandled } = await watchUnhandled(async () => {
      await redis.stop();
      const forwardedBefore = env.mock.requests.length;
      const started = Date.now();
      const refused = await Promise.all([call(paid.key, false), call(paid.key, true), call(paid.key, false)]);
      const refusedInMs = Date.now() - started;
      const forwarded = env.mock.requests.length - forwardedBefore;
      // No spend at stake: served, the rate limit counted in this process (3 a minute).
      const unpaid = [];
      for (let i = 0; i < 4; i++) unpaid.push(await call(free.key, i % 2 === 0));
      await redis.start();
      // Back without a restart: the client reconnects in the background (backoff capped at 2 s).
      const deadline = Date.now() + 15_000;
      let back: Answer = await call(paid.key, false);
      while (back.status !== 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        back = await call(paid.key, false);
      }
      return { refused, refusedInMs, forwarded, unpaid, back };
    });
    expect(unhandled).toEqual([]);
    const { refused, refusedInMs, forwarded, unpaid, back } = result;
    for (const a of refused) expect(a).toMatchObject({ status: 503, code: "service_unavailable", clean: true });
    expect(forwarded).toBe(0);
    expect(refusedInMs).toBeLessThan(5_000);
    expect(unpaid.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(unpaid[3]!.code).toBe("rate_limit_exceeded");
    expect(back).toMatchObject({ status: 200, clean: true });
    const streamBack = await call(paid.key, true);
    expect(streamBack).toMatchObject({ status: 200, clean: true });

    await untilUsageWritten();
    await expectBilledOnce(pgServer.url, [...answered, back, streamBack, ...unpaid.slice(0, 3)]);
    // The refusals are logged as refusals and cost nothing.
    const rows = await queryRows<{ status: number; errorCode: string; cost: string }>(
      pgServer.url,
      `SELECT status, "errorCode", "costMicros"::text AS cost FROM request_logs WHERE "requestId" = ANY($1)`,
      [refused.map((a) => a.requestId)],
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toEqual({ status: 503, errorCode: "service_unavailable", cost: "0" });
  }, 60_000);
});

describe("gateway faults: an upstream stream that is not valid SSE", () => {
  let t: TestDatabase;
  let env: Awaited<ReturnType<typeof setUp>>;
  let garbled: Server;

  beforeAll(async () => {
    // Events whose data is not JSON, a line that is no SSE field, then the end.
    garbled = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n');
      res.write("data: {not json at all\n\n");
      res.write("this line is no SSE field\n\n");
      res.end("data: [DONE]\n\n");
    });
    await new Promise<void>((resolve) => garbled.listen(0, "127.0.0.1", resolve));
    t = await createEmptyDatabase("postgres");
    env = await setUp(t.location, {});
    await upsertChannel(
      env.db.prisma,
      {
        name: "garbled",
        provider: "OPENAI",
        baseUrl: `http://127.0.0.1:${(garbled.address() as AddressInfo).port}/v1`,
        apiKey: "garbled",
        models: [MODEL],
        priority: 500,
      },
      { keys: KEYS, actor: { label: "cli" } },
    );
    invalidateCatalog();
  }, 60_000);
  afterAll(async () => {
    await env?.tearDown();
    await t?.drop();
    await new Promise((resolve) => garbled?.close(resolve));
  });

  it("reaches the client as it came, ends, and is billed once from an estimate; nothing unhandled", async () => {
    const { key } = await env.order({ name: "Faults SSE", rpm: 100_000, creditUsd: 10 });
    const { result, unhandled } = await watchUnhandled(() => call(key, true));
    expect(unhandled).toEqual([]);
    expect(result).toMatchObject({ status: 200, clean: true, crashed: null });
    await untilUsageWritten();
    await expectBilledOnce(t.location, [result]);
    const [row] = await queryRows<{ estimated: boolean; outputTokens: number }>(
      t.location,
      `SELECT estimated, "outputTokens" FROM request_logs WHERE "requestId" = $1`,
      [result.requestId],
    );
    expect(row).toMatchObject({ estimated: true });
    expect(row!.outputTokens).toBeGreaterThan(0);
  });
});
