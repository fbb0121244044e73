import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import { createRedisClient } from "@/lib/redis";
import { closeClient, describeWithRedis, recordingLogger, TEST_REDIS_URL, testClient, uniquePrefix } from "@/lib/redis/redis-test-support";
import { InvalidationBus, publishInvalidation, startInvalidationListener, type Invalidation } from "./invalidation-bus";

function subscriber(name: string): Redis {
  return createRedisClient(TEST_REDIS_URL, { role: "subscriber", name, logger: recordingLogger() });
}

describeWithRedis("invalidation bus", () => {
  const channel = `${uniquePrefix("bus")}:invalidate`;
  let publisher: Redis;
  const subscribers: Redis[] = [];
  const buses: InvalidationBus[] = [];

  beforeAll(() => {
    publisher = testClient("bus-publisher");
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.stop()));
    await Promise.all(subscribers.splice(0).map(closeClient));
  });
  afterAll(async () => {
    await closeClient(publisher);
  });

  function instance(name: string) {
    const sub = subscriber(name);
    subscribers.push(sub);
    const bus = new InvalidationBus({ publisher, subscriber: sub, channel, instanceId: name, logger: recordingLogger() });
    buses.push(bus);
    const received: (Invalidation & { at: number })[] = [];
    const resyncs: number[] = [];
    const started = bus.start({
      key: (id) => void received.push({ kind: "key", id, at: performance.now() }),
      order: (id) => void received.push({ kind: "order", id, at: performance.now() }),
      plan: (id) => void received.push({ kind: "plan", id, at: performance.now() }),
      catalog: (id) => void received.push({ kind: "catalog", id, at: performance.now() }),
      resync: () => void resyncs.push(performance.now()),
    });
    return { bus, sub, received, resyncs, started };
  }

  async function until(condition: () => boolean, timeoutMs = 1000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      if (performance.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it("two other instances both apply a change within a second; the publisher is not handed its own", async () => {
    const a = instance("instance-a");
    const b = instance("instance-b");
    const origin = instance("instance-origin");
    await Promise.all([a.started, b.started, origin.started]);

    const sent = performance.now();
    expect(await origin.bus.publish({ kind: "key", id: "hmac-123" })).toBe(true);
    await until(() => a.received.length === 1 && b.received.length === 1);
    for (const x of [a, b]) {
      expect(x.received[0]).toMatchObject({ kind: "key", id: "hmac-123" });
      expect(x.received[0]!.at - sent).toBeLessThan(1000);
    }
    await origin.bus.publish({ kind: "order", id: "order-9" });
    await origin.bus.publish({ kind: "plan", id: "plan-2" });
    await origin.bus.publish({ kind: "catalog", id: "*" });
    await until(() => a.received.length === 4 && b.received.length === 4);
    expect(a.received.map((r) => r.kind)).toEqual(["key", "order", "plan", "catalog"]);
    expect(origin.received).toEqual([]);
  });

  it("ignores malformed messages", async () => {
    const a = instance("instance-a");
    await a.started;
    await publisher.publish(channel, "not json");
    await publisher.publish(channel, JSON.stringify({ kind: "user", id: "x", from: "elsewhere" }));
    await publisher.publish(channel, JSON.stringify({ kind: "key", id: "ok", from: "elsewhere" }));
    await until(() => a.received.length === 1);
    expect(a.received[0]).toMatchObject({ kind: "key", id: "ok" });
  });

  it("resynchronises after its connection drops (what was published meanwhile is lost) and keeps receiving", async () => {
    const a = instance("instance-a");
    await a.started;
    a.sub.disconnect(true); // drop the connection; ioredis reconnects and subscribes again
    await until(() => a.resyncs.length === 1, 5000);
    await publisher.publish(channel, JSON.stringify({ kind: "key", id: "after", from: "elsewhere" }));
    await until(() => a.received.length === 1);
  });

  it("is a no-op without REDIS_URL", async () => {
    if (getConfig().redisUrl) return;
    expect(await publishInvalidation({ kind: "key", id: "x" })).toBe(true);
    const stop = await startInvalidationListener({});
    await stop();
  });
});
