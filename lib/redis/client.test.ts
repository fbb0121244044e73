import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { createRedisClient, ensureRedisReady, reconnectDelay, RedisUnavailableError } from "./client";
import { closeClient, describeWithRedis, recordingLogger, TEST_REDIS_URL } from "./redis-test-support";

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("redis client", () => {
  it("backs off between reconnects, capped near two seconds", () => {
    const delays = [1, 2, 3, 4, 5, 6, 10, 50].map(reconnectDelay);
    expect(delays[0]).toBeGreaterThanOrEqual(80);
    expect(delays[0]).toBeLessThanOrEqual(120);
    for (const d of delays) expect(d).toBeLessThanOrEqual(2400);
    expect(delays.at(-1)).toBeGreaterThanOrEqual(1600);
  });

  it("fails fast when nothing listens: no offline queue, a logged warning", async () => {
    const logger = recordingLogger();
    const client = createRedisClient(`redis://127.0.0.1:${await closedPort()}`, { logger });
    try {
      const started = performance.now();
      await expect(ensureRedisReady(client)).rejects.toBeInstanceOf(RedisUnavailableError);
      await expect(client.get("x")).rejects.toThrow(/enableOfflineQueue/);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(logger.lines.some((l) => l.level === "warn" && l.msg === "redis connection error")).toBe(true);
    } finally {
      client.disconnect();
    }
  });
});

describeWithRedis("redis client", () => {
  it("waits for the first connection, then answers", async () => {
    const client = createRedisClient(TEST_REDIS_URL, { logger: recordingLogger() });
    try {
      await ensureRedisReady(client);
      expect(await client.ping()).toBe("PONG");
    } finally {
      await closeClient(client);
    }
  });
});
