import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import pg from "pg";

const exec = promisify(execFile);
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

// SIGTERM while the gateway is busy: requests in flight finish, and every answered request has its
// log row and ledger debit in the database once the process has exited. A second server on
// PostgreSQL (the build is already there from the main test server), so it can be stopped.
test("SIGTERM during load loses no request log or ledger rows", async () => {
  test.setTimeout(180_000);
  const dbName = `gatehouse_sigterm_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-sigterm-"));
  const port = 3900 + Math.floor(Math.random() * 90);
  const env = {
    ...process.env,
    DATABASE_URL: url.toString(),
    GATEHOUSE_DATA_DIR: dataDir,
    PORT: String(port),
    GATEHOUSE_PUBLIC_URL: `http://localhost:${port}`,
    MOCK_UPSTREAM: "on",
    SEED_DEMO_DATA: "false",
    SHUTDOWN_DRAIN_MS: "20000",
    LOG_LEVEL: "warn",
  };
  let server: ChildProcess | undefined;
  try {
    server = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/node-hooks.mjs", "server.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    server.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    server.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => server!.once("exit", (code) => resolve(code)));
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.status ?? 0, { timeout: 120_000 }).toBe(200);

    const { stdout } = await exec(process.execPath, ["--import", "tsx", "--import", "./scripts/node-hooks.mjs", "cli/index.ts", "order", "create", "--email", "load@example.com", "--plan", "Starter 30", "--json"], { env });
    const key = (JSON.parse(stdout) as { apiKey: { key: string } }).apiKey.key;

    // Streams that take about a second each keep requests in flight when the signal arrives.
    const send = (i: number) =>
      fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
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
    server.kill("SIGTERM");
    for (let i = 120; i < 160; i++) inFlight.push(send(i)); // some land after the listener closed
    const results = await Promise.all(inFlight);
    expect(await exited, output).toBe(0);

    const answered = results.filter((r) => r.status === 200);
    expect(answered.length).toBeGreaterThanOrEqual(35);
    expect(results.filter((r) => r.status !== 200 && r.status !== 0)).toEqual([]);
    // Every answered stream was complete, not cut off by the shutdown.
    for (const r of answered) if (r.body.startsWith("data:")) expect(r.body.trimEnd().endsWith("data: [DONE]")).toBe(true);

    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    try {
      const logs = await db.query<{ n: string; cost: string }>(`SELECT count(*) AS n, coalesce(sum("costMicros"), 0) AS cost FROM request_logs WHERE status = 200 AND endpoint = '/v1/chat/completions'`);
      const debits = await db.query<{ n: string; total: string }>(`SELECT count(*) AS n, coalesce(sum(-"amountMicros"), 0) AS total FROM ledger_entries WHERE kind = 'DEBIT'`);
      const order = await db.query<{ balance: string; credit: string }>(`SELECT o."balanceMicros" AS balance, p."creditMicros" AS credit FROM orders o JOIN plans p ON p.id = o."planId"`);
      const rollup = await db.query<{ requests: string }>(`SELECT coalesce(sum(requests), 0) AS requests FROM usage_daily`);
      expect(Number(logs.rows[0]!.n)).toBe(answered.length + 5);
      expect(Number(debits.rows[0]!.n)).toBe(answered.length + 5);
      expect(debits.rows[0]!.total).toBe(logs.rows[0]!.cost);
      expect(BigInt(order.rows[0]!.credit) - BigInt(order.rows[0]!.balance)).toBe(BigInt(logs.rows[0]!.cost));
      expect(Number(rollup.rows[0]!.requests)).toBeGreaterThanOrEqual(answered.length);
    } finally {
      await db.end();
    }
  } finally {
    if (server && server.exitCode === null) server.kill("SIGKILL");
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
