/**
 * Helpers shared by the gateway's integration tests: a migrated database with a channel to a mock
 * upstream and a way to order keys, and the gateway served over HTTP as server.ts serves it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setSpendStore } from "@/lib/billing/spend";
import { upsertChannel } from "@/lib/channels";
import { resetConfig } from "@/lib/config";
import { deriveSecretKeys } from "@/lib/credentials";
import { openDatabase, setDatabase } from "@/lib/db";
import { applyMigrations } from "@/lib/db/migrate";
import { setKeyRateLimiter } from "@/lib/limits";
import { startMockUpstream } from "@/lib/mock-upstream";
import { createOrder } from "@/lib/orders";
import { upsertPlan } from "@/lib/plans";
import { closeRedis } from "@/lib/redis";
import { seed } from "@/lib/seed";
import { applyClientIp } from "@/lib/server/client-ip";
import { trustedProxiesOrThrow } from "@/lib/server/trusted-proxies";
import { invalidateCatalog } from "@/lib/gateway/catalog";
import { clearKeyCache } from "@/lib/gateway/key-cache";
import { gatewayFallback, gatewayRoute } from "@/lib/gateway/routes";
import { flushUsage, usageWriterStats } from "@/lib/gateway/usage-writer";
import { pathOf, serveWebHandler } from "@/lib/gateway/web-host";

/** The model of the test channel and plans. */
export const TEST_MODEL = "gpt-4.1-nano";
const PUBLIC_URL = "https://gate.example.com";

/** The secrets of a test's environment, named after the test. */
export function testSecrets(name: string) {
  const secret = `${name}-gatehouse-secret-0123456789abcdefghijklmnop`;
  return {
    env: {
      GATEHOUSE_SECRET: secret,
      AUTH_SECRET: `${name}-auth-secret-0123456789abcdefghijklmnopqrstu`,
      MARKETPLACE_WEBHOOK_SECRET: `${name}-webhook-secret-0123456789abcdefghijklmnop`,
      GATEHOUSE_PUBLIC_URL: PUBLIC_URL,
    },
    secret,
    keys: deriveSecretKeys(secret),
  };
}

/**
 * Env, a migrated database at `pgUrl` with the seed, a mock upstream behind an OpenAI channel
 * named `name` serving TEST_MODEL, and fresh caches. `tearDown` undoes all of it (the database
 * itself is the caller's to drop).
 */
export async function setUpGateway(name: string, pgUrl: string, env: Record<string, string> = {}) {
  const { env: secretsEnv, secret, keys } = testSecrets(name);
  const saved: Record<string, string | undefined> = {};
  const dataDir = mkdtempSync(join(tmpdir(), `gatehouse-${name}-`));
  for (const [variable, value] of Object.entries({ ...secretsEnv, GATEHOUSE_DATA_DIR: dataDir, DATABASE_URL: pgUrl, ...env })) {
    saved[variable] = process.env[variable];
    process.env[variable] = value;
  }
  resetConfig();
  const db = openDatabase({ kind: "postgres", url: pgUrl });
  await applyMigrations(db);
  setDatabase(db);
  await seed(db.prisma, { gatehouseSecret: secret }, { demo: false });
  const mock = await startMockUpstream();
  await upsertChannel(
    db.prisma,
    { name, provider: "OPENAI", baseUrl: `${mock.url}/v1`, apiKey: `${name}-upstream`, models: [TEST_MODEL] },
    { keys, actor: { label: "cli" } },
  );
  clearKeyCache();
  invalidateCatalog();
  setSpendStore(undefined);
  setKeyRateLimiter(undefined);
  return {
    db,
    mock,
    keys,
    async order(plan: { name: string; rpm: number; creditUsd?: number }) {
      await upsertPlan(db.prisma, { name: plan.name, models: [TEST_MODEL], durationDays: 1, rpm: plan.rpm, creditUsd: plan.creditUsd });
      const created = await createOrder(db.prisma, {
        email: `${name}-${plan.name.toLowerCase().replaceAll(" ", "-")}-${Math.random().toString(36).slice(2, 8)}@example.com`,
        planName: plan.name,
        source: "CLI",
        delivery: "handout",
        actor: { label: "cli" },
        keys,
      });
      return { key: created.apiKey.key!, orderId: created.order.id };
    },
    async tearDown() {
      await flushUsage({ all: true }).catch(() => {});
      setDatabase(undefined);
      clearKeyCache();
      invalidateCatalog();
      setSpendStore(undefined);
      setKeyRateLimiter(undefined);
      await closeRedis();
      await mock.close();
      await db.close();
      for (const [variable, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[variable];
        else process.env[variable] = value;
      }
      resetConfig();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The gateway over HTTP on a free port, as server.ts answers /v1 and /v1beta: the client IP from
 * the socket (no trusted proxies), the route table's handlers (or the JSON 404/405) through
 * `serveWebHandler`. Every other path is a bare 404 (Next's part of server.ts).
 */
export async function serveGateway(): Promise<{ url: string; port: number; server: Server; close(): Promise<void> }> {
  const trusted = trustedProxiesOrThrow("");
  const server = createServer((req, res) => {
    applyClientIp(req, trusted);
    const path = pathOf(req.url);
    const handler = path.startsWith("/v1") ? (gatewayRoute(req.method, path) ?? gatewayFallback(req.method, path)) : null;
    if (handler) void serveWebHandler(req, res, handler, PUBLIC_URL);
    else res.writeHead(404).end();
  });
  server.maxConnections = Infinity;
  await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1", backlog: 1024 }, () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Waits until the usage writer has written everything it holds (it retries on its own). */
export async function untilUsageWritten(timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (usageWriterStats().queued > 0) {
    if (Date.now() > deadline) throw new Error(`usage still queued after ${timeoutMs} ms: ${usageWriterStats().queued}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
