// Test helpers for the Redis tests (not imported by the app). They run against a real
// Redis (TEST_REDIS_URL, default the local server) under a key prefix unique to the run, and
// delete their keys afterwards. Without a reachable server the Redis suites are skipped with a
// notice, except in CI, where a missing server is a failure.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { describe } from "vitest";
import { closeClient, createRedisClient, ensureRedisReady, type RedisLogger } from "./client";

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

async function probe(): Promise<boolean> {
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export const redisUp = await probe();
if (!redisUp) {
  if (process.env.CI) throw new Error(`Redis is not reachable at ${new URL(TEST_REDIS_URL).host} (TEST_REDIS_URL); CI requires it.`);
  console.warn(`[notice] Redis not reachable at ${new URL(TEST_REDIS_URL).host}: skipping the Redis tests.`);
}

/** A suite that needs Redis: skipped (with the notice above) when it is not reachable. */
export function describeWithRedis(name: string, body: () => void): void {
  (redisUp ? describe : describe.skip)(`${name} [redis]`, body);
}

/** A key prefix no other run uses. */
export function uniquePrefix(label: string): string {
  return `gh-test:${label}:${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) deleted += await client.del(...keys);
  } while (cursor !== "0");
  return deleted;
}

/** A logger that remembers what was logged. */
export function recordingLogger(): RedisLogger & { lines: { level: string; msg?: string; obj: object }[] } {
  const lines: { level: string; msg?: string; obj: object }[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: "info", msg, obj }),
    warn: (obj, msg) => lines.push({ level: "warn", msg, obj }),
    error: (obj, msg) => lines.push({ level: "error", msg, obj }),
  };
}

/** A command client for a test, with the app's settings; remember to close it. */
export function testClient(name: string, logger: RedisLogger = recordingLogger()): Redis {
  return createRedisClient(TEST_REDIS_URL, { name, logger });
}

/**
 * A test client that has connected: the command client queues nothing while it connects (the
 * app fails closed instead), so a test's first command could otherwise be refused with "not
 * connected" on a busy machine.
 */
export async function connectedTestClient(name: string, logger: RedisLogger = recordingLogger()): Promise<Redis> {
  const client = testClient(name, logger);
  await ensureRedisReady(client);
  return client;
}

export { closeClient };
