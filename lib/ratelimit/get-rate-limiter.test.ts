import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getRateLimiter } from "./get-rate-limiter";

describe("getRateLimiter", () => {
  afterEach(() => vi.useRealTimers());

  it("allows the configured number of attempts per key, then refuses with the time to wait", async () => {
    const limiter = getRateLimiter({ name: `test-${randomUUID()}`, points: 3, durationSeconds: 60 });
    expect(await limiter.consume("a")).toEqual({ allowed: true, remaining: 2 });
    expect(await limiter.consume("a")).toEqual({ allowed: true, remaining: 1 });
    expect(await limiter.consume("a")).toEqual({ allowed: true, remaining: 0 });
    const refused = await limiter.consume("a");
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) {
      expect(refused.retryAfterSeconds).toBeGreaterThan(50);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
    // Another key has its own count.
    expect((await limiter.consume("b")).allowed).toBe(true);
  });

  it("starts a new window when the old one ends", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout"] });
    const limiter = getRateLimiter({ name: `test-${randomUUID()}`, points: 1, durationSeconds: 10 });
    expect((await limiter.consume("k")).allowed).toBe(true);
    expect((await limiter.consume("k")).allowed).toBe(false);
    vi.advanceTimersByTime(10_001);
    expect((await limiter.consume("k")).allowed).toBe(true);
  });

  it("shares counters between limiters created for the same rule", async () => {
    const rule = { name: `test-${randomUUID()}`, points: 1, durationSeconds: 60 };
    expect((await getRateLimiter(rule).consume("k")).allowed).toBe(true);
    expect((await getRateLimiter(rule).consume("k")).allowed).toBe(false);
  });

  it("forgets a key on reset", async () => {
    const limiter = getRateLimiter({ name: `test-${randomUUID()}`, points: 1, durationSeconds: 60 });
    await limiter.consume("k");
    await limiter.reset("k");
    expect((await limiter.consume("k")).allowed).toBe(true);
  });
});
