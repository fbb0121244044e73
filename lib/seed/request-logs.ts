import "server-only";
import { randomBytes } from "node:crypto";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { createOrder } from "@/lib/orders";

// Synthetic request logs for scale checks of the console (`seed --requests N`): a handful of
// accounts, each with an order and a key, and N log rows spread over the last 30 days, written
// by the database itself (generate_series, one INSERT … SELECT per batch) rather than one insert
// per row. Only request_logs is filled: balances, the ledger and the daily rollups are left as they
// are, so the figures on the usage pages do not add up to these rows.

/** The most one run adds: big enough for the scale check, small enough that a typo cannot fill a disk. */
export const MAX_SEEDED_REQUESTS = 10_000_000;
const BATCH = 50_000;
export const SCALE_ACCOUNTS = 5;

const MODELS = ["gpt-4.1-mini", "claude-sonnet-4-6", "gpt-4o-mini", "gemini-2.5-flash", "claude-haiku-4-5"];

export interface SeedRequestsResult {
  inserted: number;
  accounts: { email: string; marketplaceOrderId: string; keyId: string }[];
  ms: number;
}

/** The first `count` scale accounts (created once, found again on later runs). */
async function scaleAccounts(db: Prisma, keys: SecretKeys, now: Date, count: number) {
  const accounts: { email: string; marketplaceOrderId: string; keyId: string; orderId: string; customerId: string }[] = [];
  for (let i = 1; i <= count; i++) {
    const email = `scale-${i}@example.com`;
    const marketplaceOrderId = `SCALE-${i}`;
    let order = await db.order.findUnique({
      where: { marketplaceOrderId },
      select: { id: true, customerId: true, apiKeys: { select: { id: true }, orderBy: { createdAt: "asc" }, take: 1 } },
    });
    if (!order) {
      await createOrder(db, {
        email,
        planName: "Pro 30",
        marketplaceOrderId,
        source: "SEED",
        // Nobody is meant to use these keys: revealable in the portal, never printed.
        delivery: "reveal",
        actor: { label: "system" },
        keys,
        accessStart: new Date(now.getTime() - 30 * 86_400_000),
        accessEnd: new Date(now.getTime() + 30 * 86_400_000),
      });
      order = await db.order.findUniqueOrThrow({
        where: { marketplaceOrderId },
        select: { id: true, customerId: true, apiKeys: { select: { id: true }, orderBy: { createdAt: "asc" }, take: 1 } },
      });
    }
    accounts.push({ email, marketplaceOrderId, keyId: order.apiKeys[0]!.id, orderId: order.id, customerId: order.customerId });
  }
  return accounts;
}

/**
 * Adds `count` request logs for the first `accounts` scale accounts (all of them by default). PostgreSQL only: the caller refuses the
 * embedded database (a million rows there would take long and grow the data directory for a demo
 * that does not need them). Reports progress after each batch.
 */
export async function seedRequestLogs(
  db: Prisma,
  input: { count: number; accounts?: number; keys: SecretKeys; now?: Date; onProgress?: (done: number, total: number) => void },
): Promise<SeedRequestsResult> {
  const started = Date.now();
  const count = Math.floor(input.count);
  if (!Number.isFinite(count) || count < 1 || count > MAX_SEEDED_REQUESTS)
    throw new RangeError(`The number of requests must be between 1 and ${MAX_SEEDED_REQUESTS}.`);
  const accountCount = input.accounts ?? SCALE_ACCOUNTS;
  if (!Number.isInteger(accountCount) || accountCount < 1 || accountCount > SCALE_ACCOUNTS)
    throw new RangeError(`The number of accounts must be between 1 and ${SCALE_ACCOUNTS}.`);
  const now = input.now ?? new Date();
  const accounts = await scaleAccounts(db, input.keys, now, accountCount);
  const channels = (await db.upstreamChannel.findMany({ select: { id: true }, orderBy: { name: "asc" } })).map((c) => c.id);
  // Distinct per run, so a second run adds rows instead of colliding with the first's ids.
  const run = randomBytes(8).toString("hex");
  const keyIds = accounts.map((a) => a.keyId);
  const orderIds = accounts.map((a) => a.orderId);
  const customerIds = accounts.map((a) => a.customerId);
  let done = 0;
  while (done < count) {
    const size = Math.min(BATCH, count - done);
    // g picks the account (round robin), the model, the outcome and the time; md5 of the run and g
    // makes a request id in the gateway's own shape (req_ + 24 hex).
    await db.$executeRawUnsafe(
      `INSERT INTO request_logs ("requestId", "apiKeyId", "customerId", "orderId", endpoint, protocol, model, "upstreamModel", stream, status,
         "errorCode", "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costMicros", estimated, "latencyMs", "ttfbMs",
         "channelId", "clientIp", "createdAt")
       SELECT 'req_' || substr(md5($1 || g::text), 1, 24),
              ($2::text[])[1 + g % $5::int], ($3::text[])[1 + g % $5::int], ($4::text[])[1 + g % $5::int],
              CASE WHEN g % 4 = 0 THEN '/v1/messages' ELSE '/v1/chat/completions' END,
              CASE WHEN g % 4 = 0 THEN 'anthropic' ELSE 'openai' END,
              ($6::text[])[1 + (g / 7) % $7::int], ($6::text[])[1 + (g / 7) % $7::int],
              g % 3 = 0,
              CASE WHEN g % 100 < 95 THEN 200 WHEN g % 100 < 98 THEN 429 WHEN g % 100 < 99 THEN 402 ELSE 502 END,
              CASE WHEN g % 100 < 95 THEN NULL WHEN g % 100 < 98 THEN 'rate_limit_exceeded' WHEN g % 100 < 99 THEN 'billing_shortfall' ELSE 'upstream_error' END,
              CASE WHEN g % 100 < 95 THEN 200 + (g * 37) % 4000 ELSE 0 END,
              CASE WHEN g % 100 < 95 THEN 50 + (g * 13) % 1500 ELSE 0 END,
              0, 0,
              CASE WHEN g % 100 < 95 THEN 100 + (g * 17) % 20000 ELSE 0 END,
              false,
              80 + (g * 7) % 3000,
              CASE WHEN g % 100 < 95 THEN 40 + (g * 11) % 900 ELSE NULL END,
              CASE WHEN cardinality($8::text[]) > 0 AND g % 100 < 95 THEN ($8::text[])[1 + g % cardinality($8::text[])] ELSE NULL END,
              '198.51.100.' || (1 + g % 200),
              $9::timestamp - make_interval(secs => random() * 30 * 86400)
         FROM generate_series($10::int, $11::int) AS g
       ON CONFLICT ("requestId") DO NOTHING`,
      run,
      keyIds,
      customerIds,
      orderIds,
      accounts.length,
      MODELS,
      MODELS.length,
      channels,
      now.toISOString().replace("T", " ").replace("Z", ""),
      done,
      done + size - 1,
    );
    done += size;
    input.onProgress?.(done, count);
  }
  await db.apiKey.updateMany({ where: { id: { in: keyIds } }, data: { lastUsedAt: now } });
  // Fresh statistics, so the planner sees the new rows at once rather than after autovacuum.
  await db.$executeRawUnsafe("ANALYZE request_logs");
  return {
    inserted: count,
    accounts: accounts.map(({ email, marketplaceOrderId, keyId }) => ({ email, marketplaceOrderId, keyId })),
    ms: Date.now() - started,
  };
}
