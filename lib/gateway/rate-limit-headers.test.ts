import { describe, expect, it } from "vitest";
import { GatewayError, errorResponse } from "@/lib/errors";
import { KeyRateLimiter, type RateLimitDecision } from "@/lib/limits";
import { uniquePrefix } from "@/lib/redis/redis-test-support";
import { formatResetDuration, formatResetInstant, rateLimitHeaders } from "./rate-limit-headers";

let seq = 0;
const keyId = () => `key-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

describe("rate-limit headers", () => {
  const at = new Date("2026-11-05T12:00:00.250Z");
  const decision: RateLimitDecision = {
    allowed: true,
    limitRequests: 60,
    remainingRequests: 59,
    resetRequestsSeconds: 59.5,
    limitTokens: 150_000,
    remainingTokens: 149_000,
    resetTokensSeconds: 0.25,
    keyId: "k",
    tokensCounted: 1000,
    at,
    degraded: false,
  };

  it("OpenAI: limit, remaining and reset durations for requests and tokens", () => {
    expect(rateLimitHeaders(decision, "openai")).toEqual({
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "59",
      "x-ratelimit-reset-requests": "59.5s",
      "x-ratelimit-limit-tokens": "150000",
      "x-ratelimit-remaining-tokens": "149000",
      "x-ratelimit-reset-tokens": "250ms",
    });
  });

  it("Anthropic: limit, remaining and RFC 3339 reset instants", () => {
    expect(rateLimitHeaders(decision, "anthropic")).toEqual({
      "anthropic-ratelimit-requests-limit": "60",
      "anthropic-ratelimit-requests-remaining": "59",
      "anthropic-ratelimit-requests-reset": "2026-11-05T12:01:00Z",
      "anthropic-ratelimit-tokens-limit": "150000",
      "anthropic-ratelimit-tokens-remaining": "149000",
      "anthropic-ratelimit-tokens-reset": "2026-11-05T12:00:01Z",
    });
  });

  it("no token headers without a tpm; none at all for Gemini", () => {
    const noTokens: RateLimitDecision = { ...decision, limitTokens: undefined, remainingTokens: undefined, resetTokensSeconds: undefined };
    expect(Object.keys(rateLimitHeaders(noTokens, "openai"))).toEqual([
      "x-ratelimit-limit-requests",
      "x-ratelimit-remaining-requests",
      "x-ratelimit-reset-requests",
    ]);
    expect(Object.keys(rateLimitHeaders(noTokens, "anthropic"))).toEqual([
      "anthropic-ratelimit-requests-limit",
      "anthropic-ratelimit-requests-remaining",
      "anthropic-ratelimit-requests-reset",
    ]);
    expect(rateLimitHeaders(decision, "gemini")).toEqual({});
  });

  it("formats durations the way OpenAI does", () => {
    expect([0, 0.4, 1, 17, 999, 1000, 1500, 59_500, 60_000, 61_250, 360_000, 3_600_000, 3_661_001].map(formatResetDuration)).toEqual([
      "0s",
      "1ms",
      "1ms",
      "17ms",
      "999ms",
      "1s",
      "1.5s",
      "59.5s",
      "1m0s",
      "1m1.25s",
      "6m0s",
      "1h0m0s",
      "1h1m1.001s",
    ]);
    expect(formatResetInstant(new Date("2026-01-01T00:00:00Z"), 0)).toBe("2026-01-01T00:00:00Z");
    expect(formatResetInstant(new Date("2026-01-01T00:00:00Z"), 1)).toBe("2026-01-01T00:00:01Z");
  });

  it("a refusal becomes a 429 with Retry-After and the same headers", async () => {
    const limiter = new KeyRateLimiter({ prefix: uniquePrefix("rl-429") });
    const id = keyId();
    await limiter.check({ keyId: id, rpm: 1 });
    const refused = await limiter.check({ keyId: id, rpm: 1 });
    const error = new GatewayError("rate_limit_exceeded", {
      limit: refused.limitRequests,
      unit: "requests",
      retryAfterSeconds: refused.retryAfterSeconds,
      headers: rateLimitHeaders(refused, "openai"),
    });
    const res = errorResponse(error, "openai", "req_test");
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBe(refused.retryAfterSeconds);
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(res.headers.get("x-ratelimit-limit-requests")).toBe("1");
  });
});
