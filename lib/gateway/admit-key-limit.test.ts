import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MemorySpendStore, setSpendStore } from "@/lib/billing/spend";
import { GatewayError } from "@/lib/errors";
import { KeyRateLimiter, setKeyRateLimiter } from "@/lib/limits";
import { admitRequest } from "./admit";
import type { Catalog } from "./catalog";
import type { GatewayKey } from "./load-key";

// The gateway's admission of a key with a daily spend limit across a UTC midnight, on the clock
// the stores read (faked): refused until the boundary, admitted from its first millisecond.

// The database's spend for the key in any period: nothing yet (the store tracks what this test spends).
vi.mock("@/lib/billing/spend/spend-readers", () => ({
  readKeyPeriodSpend: vi.fn(async () => 0n),
  readOrderBalance: vi.fn(async () => 0n),
}));

const M = 1_000_000n;
const model = "gpt-4.1-mini";
const catalog = {
  prices: new Map([
    [model, { provider: "OPENAI", inputMicrosPerM: 400_000, outputMicrosPerM: 1_600_000, cacheReadMicrosPerM: null, cacheWriteMicrosPerM: null }],
  ]),
  channels: new Map(),
  routes: new Map(),
  loadedAt: 0,
} as unknown as Catalog;

const key: GatewayKey = {
  id: "key-daily",
  status: "ACTIVE",
  modelScope: [],
  ipAllowlist: [],
  spendLimitMicros: 2n * M,
  spendLimitPeriod: "DAY",
  rpmLimit: null,
  tpmLimit: null,
  expiresAt: null,
  replacedAt: null,
  validUntil: null,
  order: {
    id: "order-daily",
    marketplaceOrderId: "MP-DAILY",
    customerId: "customer-daily",
    state: "OPEN",
    accessStart: new Date("2026-12-01T00:00:00Z"),
    accessEnd: new Date("2026-12-31T00:00:00Z"),
    endedAt: null,
  },
  // No credit: only the key's own limit counts.
  plan: { id: "plan", name: "Plan", models: [model], aliases: new Map(), rpm: 1000, tpm: null, multiplierBps: 10_000, creditMicros: 0n },
};

let seq = 0;
function admit(at: string) {
  vi.setSystemTime(new Date(at));
  const body = { model, max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
  return admitRequest({
    key,
    model,
    body,
    bodyBytes: JSON.stringify(body).length,
    catalog,
    protocol: "openai",
    requestId: `req-daily-${++seq}`,
    billable: true,
  });
}

describe("a key's daily spend limit at the gateway", () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    setSpendStore(new MemorySpendStore());
    setKeyRateLimiter(new KeyRateLimiter({ redis: null }));
  });
  afterAll(() => {
    setSpendStore(undefined);
    setKeyRateLimiter(undefined);
    vi.useRealTimers();
  });

  it("refuses a key over its daily limit until 00:00:00.000 UTC and admits it from then on", async () => {
    // A request early in the evening spends the whole $2 of the day.
    const first = await admit("2026-12-05T18:00:00Z");
    await first.finish({ costMicros: 2n * M, tokens: 20 });

    // The last millisecond of the day is still the same day: refused, naming the exact reset.
    let refusal: unknown;
    try {
      await admit("2026-12-05T23:59:59.999Z");
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(GatewayError);
    const error = refusal as GatewayError;
    expect(error.code).toBe("api_key_quota_exceeded");
    expect(error.status).toBe(402);
    expect(error.message).toBe(
      "This key has reached its daily spend limit of $2.00. $2.00 was spent today, leaving $0.00, not enough for this request. It resets at 2026-12-06T00:00:00.000Z; until then, raise the limit in your dashboard or use another key.",
    );

    // The first millisecond of the next UTC day starts a new period.
    const next = await admit("2026-12-06T00:00:00.000Z");
    await next.finish({ costMicros: M / 2n, tokens: 20 });
  });
});
