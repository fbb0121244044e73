import { describe, expect, it } from "vitest";
import { buildErrorMessage } from "./build-error-message";
import { ERROR_CODES } from "./error-codes";
import { GatewayError, isGatewayError, toGatewayError } from "./gateway-error";

const KEY = "sk-gate-003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hP";

describe("GatewayError", () => {
  it("takes status and spec from the table", () => {
    const err = new GatewayError("rate_limit_exceeded", {
      retryAfterSeconds: 12,
      limit: 60,
      headers: { "x-ratelimit-limit-requests": "60" },
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("GatewayError");
    expect(err.status).toBe(429);
    expect(err.spec.openaiType).toBe("rate_limit_error");
    expect(err.retryAfterSeconds).toBe(12);
    expect(err.details).toEqual({ limit: 60 });
    expect(err.headers).toEqual({ "x-ratelimit-limit-requests": "60" });
    expect(err.param).toBeNull();
    expect(err.message).toBe("Too many requests for this key (limit: 60 requests per minute). Try again in 12 seconds, or spread your requests out.");
  });

  it("builds a message for every code without details", () => {
    for (const code of ERROR_CODES) {
      const err = new GatewayError(code);
      expect(err.message, code).toMatch(/^\S.*[.)]$/);
      expect(err.message, code).not.toMatch(/undefined|null|NaN/);
    }
  });

  it("names the facts each code is given", () => {
    expect(new GatewayError("api_key_replaced", { replacedAt: new Date("2025-03-01T12:00:00Z") }).message).toBe(
      "This key was replaced on 2025-03-01T12:00:00.000Z. Copy the current key from your dashboard.",
    );
    expect(new GatewayError("access_expired", { endedAt: "2025-03-01T00:00:00Z" }).message).toMatch(/^Your access ended at 2025-03-01T00:00:00\.000Z\./);
    expect(new GatewayError("access_expired", { endedAt: 0, scope: "key" }).message).toMatch(/^This key expired at 1970-01-01T00:00:00\.000Z\./);
    expect(new GatewayError("access_not_started", { startsAt: "2030-01-01T09:00:00Z" }).message).toBe(
      "Your access starts at 2030-01-01T09:00:00.000Z. Try again after that time.",
    );
    expect(new GatewayError("order_cancelled", { refunded: true }).message).toMatch(/was refunded, so its access has ended/);
    expect(new GatewayError("ip_not_allowed", { clientIp: "203.0.113.7" }).message).toMatch(/^Requests from IP address 203\.0\.113\.7 are not allowed/);
    expect(new GatewayError("model_not_allowed", { model: "gpt-4o", allowedModels: ["claude-sonnet-4-5", "gemini-2.5-flash"] }).message).toBe(
      'This key may not use the model "gpt-4o". Allowed models: claude-sonnet-4-5, gemini-2.5-flash.',
    );
    expect(new GatewayError("model_not_found", { model: "gpt-9" }).message).toMatch(/^The model "gpt-9" does not exist here\./);
    expect(new GatewayError("api_key_quota_exceeded", { resetsAt: "2025-04-01T00:00:00Z", limitMicros: 25_000_000 }).message).toBe(
      "This key has reached its monthly spend limit of $25.00. It resets at 2025-04-01T00:00:00.000Z; until then, raise the limit in your dashboard or use another key.",
    );
    expect(
      new GatewayError("api_key_quota_exceeded", { resetsAt: "2025-04-01T00:00:00Z", limitMicros: 25_000_000, spentMicros: 24_900_000, reservedMicros: 50_000 })
        .message,
    ).toBe(
      "This key has reached its monthly spend limit of $25.00. $24.90 was spent this month and $0.05 is held for requests still running, leaving $0.05, not enough for this request. It resets at 2025-04-01T00:00:00.000Z; until then, raise the limit in your dashboard or use another key.",
    );
    expect(
      new GatewayError("api_key_quota_exceeded", { period: "DAY", resetsAt: "2025-03-02T00:00:00Z", limitMicros: 2_000_000, spentMicros: 1_990_000 }).message,
    ).toBe(
      "This key has reached its daily spend limit of $2.00. $1.99 was spent today, leaving $0.01, not enough for this request. It resets at 2025-03-02T00:00:00.000Z; until then, raise the limit in your dashboard or use another key.",
    );
    expect(new GatewayError("billing_shortfall", { balanceMicros: 1_234n }).message).toMatch(/balance \(\$0\.001234\)/);
    expect(new GatewayError("billing_shortfall", { balanceMicros: 2_000_000n, availableMicros: 500_000n }).message).toMatch(
      /balance \(\$2\.00\) cannot cover this request\. \$0\.50 of it is free; the rest is held for requests still running\. Credit does not renew/,
    );
    expect(new GatewayError("rate_limit_exceeded", { limit: 60, retryAfterSeconds: 12, resetsAt: "2025-03-01T12:00:12Z" }).message).toBe(
      "Too many requests for this key (limit: 60 requests per minute). The limit resets at 2025-03-01T12:00:12.000Z. Try again in 12 seconds, or spread your requests out.",
    );
    expect(new GatewayError("request_too_large", { maxBytes: 10 * 1024 * 1024 }).message).toMatch(/the 10 MB limit/);
    expect(new GatewayError("upstream_timeout", { timeoutSeconds: 120 }).message).toMatch(/within 120 seconds/);
    expect(new GatewayError("api_key_other_provider", { provider: "Anthropic" }).message).toMatch(
      /^This looks like an API key from Anthropic, not a Gatehouse key\./,
    );
    expect(new GatewayError("invalid_api_key", { reason: "wrong_length" }).message).toMatch(/57 characters/);
    expect(new GatewayError("invalid_request", { reason: "messages must be an array.", param: "messages" }).param).toBe("messages");
  });

  it("lists at most 20 allowed models", () => {
    const allowedModels = Array.from({ length: 25 }, (_, i) => `m${i}`);
    const message = new GatewayError("model_not_allowed", { allowedModels }).message;
    expect(message).toContain("m19 and 5 more.");
    expect(message).not.toContain("m20");
  });

  it("never echoes a key that a client put where a model name belongs", () => {
    for (const model of [KEY, `sk-ant-api03-${"a".repeat(40)}`, `AIza${"b".repeat(35)}`]) {
      const messages = [new GatewayError("model_not_found", { model }).message, new GatewayError("model_not_allowed", { model, allowedModels: ["a"] }).message];
      for (const message of messages) {
        expect(message).not.toContain(model);
        expect(message).not.toContain(model.slice(8, 30));
        expect(message).toContain("looks like an API key");
      }
    }
  });

  it("strips control characters and truncates long echoed values", () => {
    const message = new GatewayError("model_not_found", { model: `gpt\n-${"x.".repeat(100)}` }).message;
    expect(message).not.toContain("\n");
    expect(message).toContain("…");
  });

  it("keeps an unexpected fault only as cause", () => {
    const fault = new Error(`database said no for ${KEY}`);
    const err = toGatewayError(fault);
    expect(err.code).toBe("internal_error");
    expect(err.status).toBe(500);
    expect(err.cause).toBe(fault);
    expect(err.message).not.toContain("database");
    expect(err.message).not.toContain(KEY);
    const known = new GatewayError("api_key_disabled");
    expect(toGatewayError(known)).toBe(known);
    expect(isGatewayError(known)).toBe(true);
    expect(isGatewayError(fault)).toBe(false);
  });

  it("captures no stack, a refusal being an answer, and leaves the limit of other errors as it was; a fault's own stack stays in its cause", () => {
    const limit = Error.stackTraceLimit;
    const refusal = new GatewayError("rate_limit_exceeded", { limit: 30, unit: "unknown_keys", retryAfterSeconds: 5 });
    expect(refusal.stack).not.toMatch(/\n\s+at /);
    expect(refusal.message).toContain("30");
    expect(Error.stackTraceLimit).toBe(limit);
    const fault = new Error("boom");
    expect(fault.stack).toMatch(/\n\s+at /);
    expect(toGatewayError(fault).cause).toBe(fault);
  });

  it("ignores unusable instants rather than printing Invalid Date", () => {
    expect(buildErrorMessage("api_key_replaced", { replacedAt: "not a date" })).toBe(
      "This key was replaced by a newer key. Copy the current key from your dashboard.",
    );
  });
});
