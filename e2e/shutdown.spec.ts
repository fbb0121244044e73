import { expect, test } from "@playwright/test";
import { createPostgresDatabase, startServerProcess } from "./fixtures/server-process";

// SIGTERM while the gateway is busy: requests in flight finish, and every answered request has its
// log row and ledger debit in the database once the process has exited. A second server on
// PostgreSQL (the build is already there from the main test server), so it can be stopped.
test("SIGTERM during load loses no request log or ledger rows", async () => {
  test.setTimeout(180_000);
  const db = await createPostgresDatabase("gatehouse_sigterm");
  const server = await startServerProcess({ DATABASE_URL: db.url, SHUTDOWN_DRAIN_MS: "20000" });
  try {
    // A plan whose rate limit this burst cannot reach (165 requests in well under a minute): the
    // test is about shutdown, and a 429 would be an answer without an upstream exchange.
    await server.cli("plan", "add", "--name", "SIGTERM load", "--models", "gpt-4.1-mini", "--days", "1", "--rpm", "100000", "--credit", "100");
    const key = (await server.cli<{ apiKey: { key: string } }>("order", "create", "--email", "load@example.com", "--plan", "SIGTERM load")).apiKey.key;

    const send = (i: number) =>
      fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4.1-mini", stream: i % 2 === 0, max_tokens: 20, messages: [{ role: "user", content: `request ${i}` }] }),
      })
        .then(async (res) => ({ status: res.status, body: await res.text() }))
        .catch(() => ({ status: 0, body: "" }));
    // Warm up (the first requests load the route's code), then load it and stop it mid-way.
    for (let i = 0; i < 5; i++) expect((await send(-1 - i)).status).toBe(200);
    const inFlight: Promise<{ status: number; body: string }>[] = [];
    let answeredBeforeSignal = 0;
    for (let i = 0; i < 120; i++) inFlight.push(send(i).then((r) => (answeredBeforeSignal++, r)));
    await expect.poll(() => answeredBeforeSignal, { timeout: 30_000, intervals: [20] }).toBeGreaterThanOrEqual(30);
    server.process.kill("SIGTERM");
    for (let i = 120; i < 160; i++) inFlight.push(send(i)); // some land after the listener closed
    const results = await Promise.all(inFlight);
    expect(await server.exited, server.output()).toBe(0);

    const answered = results.filter((r) => r.status === 200);
    expect(answered.length).toBeGreaterThanOrEqual(35);
    expect(results.filter((r) => r.status !== 200 && r.status !== 0)).toEqual([]);
    // Every answered stream was complete, not cut off by the shutdown.
    for (const r of answered) if (r.body.startsWith("data:")) expect(r.body.trimEnd().endsWith("data: [DONE]")).toBe(true);

    const [logs] = await db.query<{ n: string; cost: string }>(`SELECT count(*) AS n, coalesce(sum("costMicros"), 0) AS cost FROM request_logs WHERE status = 200 AND endpoint = '/v1/chat/completions'`);
    const [debits] = await db.query<{ n: string; total: string }>(`SELECT count(*) AS n, coalesce(sum(-"amountMicros"), 0) AS total FROM ledger_entries WHERE kind = 'DEBIT'`);
    const [order] = await db.query<{ balance: string; credit: string }>(`SELECT o."balanceMicros" AS balance, p."creditMicros" AS credit FROM orders o JOIN plans p ON p.id = o."planId"`);
    const [rollup] = await db.query<{ requests: string }>(`SELECT coalesce(sum(requests), 0) AS requests FROM usage_daily`);
    expect(Number(logs!.n)).toBe(answered.length + 5);
    expect(Number(debits!.n)).toBe(answered.length + 5);
    expect(debits!.total).toBe(logs!.cost);
    expect(BigInt(order!.credit) - BigInt(order!.balance)).toBe(BigInt(logs!.cost));
    expect(Number(rollup!.requests)).toBeGreaterThanOrEqual(answered.length);
  } finally {
    await server.stop("SIGKILL");
    await db.drop();
  }
});
