import "server-only";
import { computeCostMicros } from "@/lib/billing";
import { getDb } from "@/lib/db";
import { GatewayError } from "@/lib/errors";
import {
  checkRateLimit,
  getSpendStore,
  rateLimitHeaders,
  readKeyMonthSpend,
  readOrderBalance,
  settleTokens,
  SpendStoreUnavailableError,
  type RateLimitDecision,
  type Reservation,
  type ReserveInput,
  type ReserveResult,
} from "@/lib/limits";
import { logger } from "@/lib/server/logger";
import type { Catalog } from "./catalog";
import type { GatewayKey } from "./load-key";
import type { Protocol } from "./types";

/** Output tokens assumed for the reservation when the client sets no limit. */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 4096;

/**
 * A rough count of the prompt for the reservation and the token-rate budget: the text in the
 * body's strings (not its JSON punctuation) at about four characters a token. Settling to the
 * upstream's real count corrects it either way.
 */
export function estimateInputTokens(body: unknown): number {
  let chars = 0;
  const walk = (value: unknown, key?: string) => {
    if (typeof value === "string") {
      if (key !== "model") chars += value.length;
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (value && typeof value === "object") {
      const record = value as Record<string, unknown>;
      for (const k in record) if (Object.hasOwn(record, k)) walk(record[k], k);
    }
  };
  walk(body);
  return Math.ceil(chars / 4);
}

/** The output limit the client asked for, in whichever protocol's field. */
export function requestedOutputTokens(body: Record<string, unknown>): number {
  const config = body.generationConfig as { maxOutputTokens?: unknown } | undefined;
  for (const v of [body.max_completion_tokens, body.max_tokens, config?.maxOutputTokens]) {
    if (typeof v === "number" && Number.isFinite(v) && v > 0) return Math.floor(v);
  }
  return DEFAULT_RESERVED_OUTPUT_TOKENS;
}

export interface Admission {
  /** Rate-limit headers for the response, successes included. */
  headers: Record<string, string>;
  /**
   * Charge the real cost (or nothing) and give back what was reserved. Call exactly once. In
   * process it is done when the call returns; with Redis, when the promise resolves. Never throws.
   */
  finish(actual: { costMicros: bigint; tokens: number } | null): void | Promise<void>;
}

interface AdmissionInput {
  key: GatewayKey;
  model: string;
  body: Record<string, unknown>;
  catalog: Catalog;
  protocol: Protocol;
  requestId: string;
  billable: boolean;
}

/**
 * The last two checks of DESIGN.md's order, after the model: the key's rate limits, then its
 * monthly spend limit and the order's balance, reserved atomically before anything is forwarded
 * (so concurrent requests cannot overspend) and settled to the real cost afterwards.
 * A store that cannot be reached refuses the request: money is never spent unchecked.
 *
 * With the in-process stores the answer comes back at once (no promise: this is on every
 * request's path); with Redis, as a promise. A refusal is thrown either way.
 */
export function admitRequest(input: AdmissionInput): Admission | Promise<Admission> {
  const { key } = input;
  const inputTokens = estimateInputTokens(input.body);
  const outputTokens = input.billable ? requestedOutputTokens(input.body) : 0;
  const rate = checkRateLimit({
    keyId: key.id,
    rpm: key.rpmLimit ?? key.plan.rpm,
    tpm: key.tpmLimit ?? key.plan.tpm,
    estimatedTokens: inputTokens + outputTokens,
  });
  return rate instanceof Promise ? rate.then((r) => reserveSpend(input, r, inputTokens, outputTokens)) : reserveSpend(input, rate, inputTokens, outputTokens);
}

/** What a store seeds a key's order and month from: the same for every request of a cached key. */
const seedsByKey = new WeakMap<GatewayKey, Pick<ReserveInput, "order" | "key">>();

function spendSeeds(key: GatewayKey): Pick<ReserveInput, "order" | "key"> {
  let seeds = seedsByKey.get(key);
  if (!seeds) {
    seeds = {
      order: { hasCredit: key.plan.creditMicros > 0n, balanceMicros: () => readOrderBalance(getDb(), key.order.id) },
      key: { monthlyLimitMicros: key.monthlyLimitMicros, spentThisMonthMicros: (month) => readKeyMonthSpend(getDb(), key.id, month) },
    };
    seedsByKey.set(key, seeds);
  }
  return seeds;
}

function reserveSpend(input: AdmissionInput, rate: RateLimitDecision, inputTokens: number, outputTokens: number): Admission | Promise<Admission> {
  const { key } = input;
  const headers = rateLimitHeaders(rate, input.protocol);
  if (!rate.allowed) {
    throw new GatewayError("rate_limit_exceeded", {
      limit: rate.limitedBy === "tokens" ? rate.limitTokens : rate.limitRequests,
      unit: rate.limitedBy,
      retryAfterSeconds: rate.retryAfterSeconds,
      headers,
    });
  }
  const price = input.catalog.prices.get(input.model);
  const tracksMoney = input.billable && price && (key.plan.creditMicros > 0n || key.monthlyLimitMicros !== null);
  if (!tracksMoney) return admission(input.requestId, headers, rate, undefined);
  const estimateMicros = computeCostMicros({ inputTokens, outputTokens }, price, key.plan.multiplierBps);
  const seeds = spendSeeds(key);
  const result = getSpendStore().reserve({ requestId: input.requestId, orderId: key.order.id, keyId: key.id, estimateMicros, order: seeds.order, key: seeds.key });
  if (!(result instanceof Promise)) return afterReserve(input.requestId, headers, rate, result);
  return result.then(
    (r) => afterReserve(input.requestId, headers, rate, r),
    async (err: unknown): Promise<never> => {
      await settleTokens(rate, 0);
      if (err instanceof SpendStoreUnavailableError) throw new GatewayError("service_unavailable", { retryAfterSeconds: 1, headers, cause: err });
      throw err;
    },
  );
}

/** The reservation's answer: an admission, or the refusal (after giving back the counted tokens). */
function afterReserve(requestId: string, headers: Record<string, string>, rate: RateLimitDecision, r: ReserveResult): Admission | Promise<Admission> {
  if (r.ok) return admission(requestId, headers, rate, r.reservation);
  const error =
    r.code === "api_key_quota_exceeded"
      ? new GatewayError("api_key_quota_exceeded", { resetsAt: r.resetsAt, limitMicros: r.limitMicros, headers })
      : new GatewayError("billing_shortfall", { balanceMicros: r.balanceMicros, headers });
  const giveBack = settleTokens(rate, 0);
  if (giveBack instanceof Promise) return giveBack.then(() => Promise.reject(error));
  throw error;
}

function admission(requestId: string, headers: Record<string, string>, rate: RateLimitDecision, reservation: Reservation | undefined): Admission {
  let finished = false;
  const failed = (err: unknown) => logger.error({ err, requestId }, "settling limits failed");
  return {
    headers,
    finish(actual) {
      if (finished) return;
      finished = true;
      try {
        const charged = reservation && (actual ? getSpendStore().settle(reservation, actual.costMicros) : getSpendStore().release(reservation));
        if (charged instanceof Promise) {
          return charged.then(() => settleTokens(rate, actual?.tokens ?? 0)).catch(failed);
        }
        const tokens = settleTokens(rate, actual?.tokens ?? 0);
        if (tokens instanceof Promise) return tokens.catch(failed);
      } catch (err) {
        failed(err);
      }
    },
  };
}
