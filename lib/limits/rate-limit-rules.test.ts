import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { consumeRateLimit, resetRateLimit } from "./rate-limit";

// Named rules through the process's limiter, as the sign-in links use them.
describe("consumeRateLimit", () => {
  afterEach(() => vi.useRealTimers());

  it("allows the configured number of attempts per key, then refuses with the time to wait", async () => {
    const rule = { name: `test-${randomUUID()}`, points: 3, durationSeconds: 60 };
    expect(await consumeRateLimit(rule, "a")).toMatchObject({ allowed: true, remainingRequests: 2 });
    expect(await consumeRateLimit(rule, "a")).toMatchObject({ allowed: true, remainingRequests: 1 });
    expect(await consumeRateLimit(rule, "a")).toMatchObject({ allowed: true, remainingRequests: 0 });
    const refused = await consumeRateLimit(rule, "a");
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) {
      expect(refused.retryAfterSeconds).toBeGreaterThan(50);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
    // Another key has its own count.
    expect((await consumeRateLimit(rule, "b")).allowed).toBe(true);
  });

  it("starts a new window when the old one ends", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout"] });
    const rule = { name: `test-${randomUUID()}`, points: 1, durationSeconds: 10 };
    expect((await consumeRateLimit(rule, "k")).allowed).toBe(true);
    expect((await consumeRateLimit(rule, "k")).allowed).toBe(false);
    vi.advanceTimersByTime(10_001);
    expect((await consumeRateLimit(rule, "k")).allowed).toBe(true);
  });

  it("shares counters between checks of the same rule", async () => {
    const rule = { name: `test-${randomUUID()}`, points: 1, durationSeconds: 60 };
    expect((await consumeRateLimit({ ...rule }, "k")).allowed).toBe(true);
    expect((await consumeRateLimit({ ...rule }, "k")).allowed).toBe(false);
  });

  it("forgets a key on reset", async () => {
    const rule = { name: `test-${randomUUID()}`, points: 1, durationSeconds: 60 };
    await consumeRateLimit(rule, "k");
    await resetRateLimit(rule, "k");
    expect((await consumeRateLimit(rule, "k")).allowed).toBe(true);
  });
});
