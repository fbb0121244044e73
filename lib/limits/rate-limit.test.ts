import { createServer } from "node:net";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisClient } from "@/lib/redis";
import { closeClient, deleteKeys, describeWithRedis, recordingLogger, testClient, uniquePrefix } from "@/lib/redis/redis-test-support";
import { KeyRateLimiter, type RateLimitRule } from "./rate-limit";

let seq = 0;
const keyId = () => `key-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

function limiterContract(name: string, make: (windowSeconds?: number) => KeyRateLimiter[]) {
  describe(name, () => {
    it("rpm = 5: five pass with the count going down, the sixth is refused with Retry-After in (0, 60]", async () => {
      const [limiter] = make();
      const id = keyId();
      const remaining: number[] = [];
      for (let i = 0; i < 5; i++) {
        const d = await limiter!.check({ keyId: id, rpm: 5 });
        expect(d.allowed).toBe(true);
        remaining.push(d.remainingRequests);
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      const refused = await limiter!.check({ keyId: id, rpm: 5 });
      expect(refused).toMatchObject({ allowed: false, limitedBy: "requests", limitRequests: 5, remainingRequests: 0, degraded: false });
      expect(refused.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(refused.resetRequestsSeconds).toBeGreaterThan(0);
      expect(refused.resetRequestsSeconds).toBeLessThanOrEqual(60);
      // Refusals take nothing: a higher limit set by an admin applies to the same count at once.
      for (let i = 0; i < 3; i++) expect((await limiter!.check({ keyId: id, rpm: 5 })).allowed).toBe(false);
      expect(await limiter!.check({ keyId: id, rpm: 6 })).toMatchObject({ allowed: true, remainingRequests: 0 });
    });

    it("counts concurrent requests exactly: 50 at once with rpm = 20 → 20 pass", async () => {
      const limiters = make();
      const id = keyId();
      const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => limiters[i % limiters.length]!.check({ keyId: id, rpm: 20 })));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
    });

    it("shares one budget between instances", async () => {
      const limiters = make();
      const id = keyId();
      for (let i = 0; i < 10; i++) expect((await limiters[i % limiters.length]!.check({ keyId: id, rpm: 10 })).allowed).toBe(true);
      for (const limiter of limiters) expect(await limiter.check({ keyId: id, rpm: 10 })).toMatchObject({ allowed: false, remainingRequests: 0 });
    });

    it("tpm: counts the estimate, refuses for tokens without burning a request, and follows real usage after settle", async () => {
      const limiters = make();
      const [a, b] = [limiters[0]!, limiters[limiters.length - 1]!];
      const id = keyId();
      const first = await a.check({ keyId: id, rpm: 100, tpm: 1000, estimatedTokens: 600 });
      expect(first).toMatchObject({ allowed: true, limitTokens: 1000, remainingTokens: 400, tokensCounted: 600, remainingRequests: 99 });
      const tooMany = await b.check({ keyId: id, rpm: 100, tpm: 1000, estimatedTokens: 600 });
      expect(tooMany).toMatchObject({ allowed: false, limitedBy: "tokens", remainingTokens: 400, remainingRequests: 99, tokensCounted: 0 });
      expect(tooMany.retryAfterSeconds).toBeGreaterThan(0);
      expect(tooMany.retryAfterSeconds).toBeLessThanOrEqual(60);

      // The first request used 100 tokens, not 600: 500 come back.
      await a.settleTokens(first, 100);
      const second = await b.check({ keyId: id, rpm: 100, tpm: 1000, estimatedTokens: 600 });
      expect(second).toMatchObject({ allowed: true, remainingTokens: 300, remainingRequests: 98 });
      // It used 800: 200 more are counted.
      await b.settleTokens(second, 800);
      expect(await a.check({ keyId: id, rpm: 100, tpm: 1000, estimatedTokens: 0 })).toMatchObject({ allowed: true, remainingTokens: 100 });
      // A reward never takes the window below zero.
      await a.adjustTokens(id, -5000);
      expect(await a.check({ keyId: id, rpm: 100, tpm: 1000, estimatedTokens: 0 })).toMatchObject({ remainingTokens: 1000 });
      // A reward for a window that has ended is dropped.
      await a.adjustTokens(id, 0);
      const c = await a.check({ keyId: id, rpm: 100, tpm: 1000, estimatedTokens: 300 });
      await a.adjustTokens(id, -300, { windowEndsAt: Date.now() - 1 });
      expect(await a.check({ keyId: id, rpm: 100, tpm: 1000 })).toMatchObject({ remainingTokens: 700 });
      expect(c.tokensWindowEndsAt).toBeGreaterThan(Date.now());
    });

    it("caps an estimate larger than the tpm so the request can run alone in a fresh window", async () => {
      const [limiter] = make();
      const id = keyId();
      expect(await limiter!.check({ keyId: id, rpm: 10, tpm: 1000, estimatedTokens: 50_000 })).toMatchObject({
        allowed: true,
        tokensCounted: 1000,
        remainingTokens: 0,
      });
      expect(await limiter!.check({ keyId: id, rpm: 10, tpm: 1000, estimatedTokens: 1 })).toMatchObject({ allowed: false, limitedBy: "tokens" });
    });

    it("opens a new window when the old one ends", async () => {
      const [limiter] = make(1);
      const id = keyId();
      expect((await limiter!.check({ keyId: id, rpm: 1 })).allowed).toBe(true);
      const refused = await limiter!.check({ keyId: id, rpm: 1 });
      expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
      await new Promise((r) => setTimeout(r, 1100));
      expect((await limiter!.check({ keyId: id, rpm: 1 })).allowed).toBe(true);
    });
  });
}

limiterContract("KeyRateLimiter in process", (windowSeconds) => [new KeyRateLimiter({ prefix: uniquePrefix("rl"), windowSeconds })]);

describeWithRedis("KeyRateLimiter", () => {
  const prefix = uniquePrefix("rl");
  const clients: Redis[] = [];
  beforeAll(() => {
    for (let i = 0; i < 2; i++) clients.push(testClient(`rl-instance-${i}`));
  });
  afterAll(async () => {
    await deleteKeys(clients[0]!, prefix);
    await Promise.all(clients.map(closeClient));
  });
  limiterContract("two instances on separate connections", (windowSeconds) => clients.map((redis) => new KeyRateLimiter({ redis, prefix, windowSeconds })));
});

// Named rules, shaped like the sign-in link limits: per address and per client IP, 15-minute windows.
function ruleContract(name: string, make: () => KeyRateLimiter[]) {
  describe(name, () => {
    const perAddress: RateLimitRule = { name: "test-sign-in-link:email", points: 5, durationSeconds: 15 * 60 };
    const perIp: RateLimitRule = { name: "test-sign-in-link:ip", points: 20, durationSeconds: 15 * 60 };
    const address = () => `${keyId()}@example.com`;

    it("5 per address per 15 minutes, counted alike by every instance; the sixth is refused until the window ends", async () => {
      const limiters = make();
      const email = address();
      const remaining: number[] = [];
      for (let i = 0; i < 5; i++) {
        const d = await limiters[i % limiters.length]!.consume(perAddress, email);
        expect(d.allowed).toBe(true);
        remaining.push(d.remainingRequests);
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      for (const limiter of limiters) {
        const refused = await limiter.consume(perAddress, email);
        expect(refused).toMatchObject({ allowed: false, limitedBy: "requests", limitRequests: 5, remainingRequests: 0, keyId: email, degraded: false });
        expect(refused.retryAfterSeconds).toBeGreaterThan(15 * 60 - 60);
        expect(refused.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
      }
      // Another address has its own count.
      expect((await limiters[0]!.consume(perAddress, address())).allowed).toBe(true);
    });

    it("rules count apart, and apart from API keys' limits, even for the same key", async () => {
      const [limiter] = make();
      const key = keyId();
      expect((await limiter!.consume({ ...perAddress, points: 1 }, key)).allowed).toBe(true);
      expect((await limiter!.consume({ ...perAddress, points: 1 }, key)).allowed).toBe(false);
      expect(await limiter!.consume(perIp, key)).toMatchObject({ allowed: true, remainingRequests: 19 });
      expect(await limiter!.check({ keyId: key, rpm: 1 })).toMatchObject({ allowed: true, remainingRequests: 0 });
    });

    it("counts concurrent attempts exactly: 30 at once from one IP → 20 pass", async () => {
      const limiters = make();
      const ip = keyId();
      const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => limiters[i % limiters.length]!.consume(perIp, ip)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
    });

    it("reset forgets a key for every instance", async () => {
      const limiters = make();
      const [a, b] = [limiters[0]!, limiters[limiters.length - 1]!];
      const email = address();
      for (let i = 0; i < 5; i++) await a.consume(perAddress, email);
      expect((await b.consume(perAddress, email)).allowed).toBe(false);
      await a.resetRule(perAddress, email);
      expect(await b.consume(perAddress, email)).toMatchObject({ allowed: true, remainingRequests: 4 });
    });

    it("opens a new window when the rule's window ends", async () => {
      const [limiter] = make();
      const rule: RateLimitRule = { name: "test-one-second", points: 1, durationSeconds: 1 };
      const key = keyId();
      expect((await limiter!.consume(rule, key)).allowed).toBe(true);
      expect(await limiter!.consume(rule, key)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
      await new Promise((r) => setTimeout(r, 1100));
      expect((await limiter!.consume(rule, key)).allowed).toBe(true);
    });

    it("one name, one window length", async () => {
      const [limiter] = make();
      await limiter!.consume(perAddress, address());
      expect(() => limiter!.consume({ ...perAddress, durationSeconds: 60 }, address())).toThrow(RangeError);
    });
  });
}

ruleContract("named rules in process", () => [new KeyRateLimiter({ prefix: uniquePrefix("rule") })]);

it("answers a named rule in process at once, not as a promise (a flood of unknown keys is counted this way)", () => {
  const limiter = new KeyRateLimiter({ prefix: uniquePrefix("rule") });
  const rule: RateLimitRule = { name: "test-at-once", points: 1, durationSeconds: 60 };
  const first = limiter.consume(rule, "client");
  expect(first).not.toBeInstanceOf(Promise);
  expect(first).toMatchObject({ allowed: true });
  expect(limiter.consume(rule, "client")).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
});

describeWithRedis("named rules", () => {
  const prefix = uniquePrefix("rule");
  const clients: Redis[] = [];
  beforeAll(() => {
    for (let i = 0; i < 2; i++) clients.push(testClient(`rule-instance-${i}`));
  });
  afterAll(async () => {
    await deleteKeys(clients[0]!, prefix);
    await Promise.all(clients.map(closeClient));
  });
  ruleContract("two instances on separate connections", () => clients.map((redis) => new KeyRateLimiter({ redis, prefix })));
});

describe("KeyRateLimiter with Redis down", () => {
  it("falls back to in-process counters with a logged warning", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const logger = recordingLogger();
    const redis = createRedisClient(`redis://127.0.0.1:${port}`, { logger });
    try {
      const limiter = new KeyRateLimiter({ redis, prefix: "gh-test:rl-down", logger });
      const id = keyId();
      const started = performance.now();
      const decisions = [];
      for (let i = 0; i < 3; i++) decisions.push(await limiter.check({ keyId: id, rpm: 2 }));
      expect(performance.now() - started).toBeLessThan(1000);
      expect(decisions.map((d) => [d.allowed, d.degraded])).toEqual([
        [true, true],
        [true, true],
        [false, true],
      ]);
      expect(logger.lines.filter((l) => l.level === "warn" && /in-process counters/.test(l.msg ?? ""))).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });

  it("named rules fall back the same way: each instance keeps counting for itself", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const logger = recordingLogger();
    const redis = createRedisClient(`redis://127.0.0.1:${port}`, { logger });
    try {
      const limiter = new KeyRateLimiter({ redis, prefix: "gh-test:rule-down", logger });
      const rule: RateLimitRule = { name: "test-sign-in-link:email", points: 2, durationSeconds: 15 * 60 };
      const email = `${keyId()}@example.com`;
      const decisions = [];
      for (let i = 0; i < 3; i++) decisions.push(await limiter.consume(rule, email));
      expect(decisions.map((d) => [d.allowed, d.degraded])).toEqual([
        [true, true],
        [true, true],
        [false, true],
      ]);
      expect(decisions[2]!.retryAfterSeconds).toBeGreaterThan(15 * 60 - 60);
      expect(logger.lines.some((l) => l.level === "warn" && /in-process counters/.test(l.msg ?? ""))).toBe(true);
    } finally {
      redis.disconnect();
    }
  });
});
