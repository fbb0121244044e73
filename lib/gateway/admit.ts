import "server-only";
import { computeCostMicros } from "@/lib/billing";
import { getDb } from "@/lib/db";
import { GatewayError } from "@/lib/errors";
import {
  getSpendStore,
  readKeyPeriodSpend,
  readOrderBalance,
  SpendStoreUnavailableError,
  type Reservation,
  type ReserveInput,
  type ReserveResult,
} from "@/lib/billing/spend";
import { checkRateLimit, settleTokens, type RateLimitDecision } from "@/lib/limits";
import { gatewayMetrics } from "@/lib/metrics";
import { logger } from "@/lib/server/logger";
import type { Catalog } from "./catalog";
import type { GatewayKey } from "./load-key";
import { rateLimitHeaders } from "./rate-limit-headers";
import type { Protocol } from "./types";

/** Output tokens assumed for the reservation when the client sets no limit. */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 4096;

/** What one pass over a request body learns about its prompt. */
export interface PromptMeasure {
  /** A rough count for the token-rate budget: the text's characters at about four a token. */
  estimate: number;
  /** Characters of inline media data (base64 images, audio, documents). */
  mediaChars: number;
  /** Inline media and media referenced by URL or file id. */
  mediaParts: number;
  hasTools: boolean;
}

/** Keys whose string is inline media data. */
const MEDIA_DATA_KEYS = new Set(["data", "file_data"]);
/**
 * Inline media is base64 (or a data: URL of it). A `data` field holding anything else (Anthropic's
 * plain-text document source, a tool's result) is text and counts at full size.
 */
const BASE64 = /^(?:data:[^,]*,)?[A-Za-z0-9+/\r\n]+={0,2}$/;
const MIN_MEDIA_CHARS = 64;

function isInlineMedia(key: string, value: string): boolean {
  if (key === "url") return value.startsWith("data:");
  return MEDIA_DATA_KEYS.has(key) && value.length >= MIN_MEDIA_CHARS && BASE64.test(value);
}
/** Keys whose string points at media the provider fetches. */
const MEDIA_REF_KEYS = new Set(["url", "file_uri", "fileUri", "file_id"]);

/**
 * Walks the body once: the rough estimate (the text in its strings, not its JSON punctuation, at
 * about four characters a token; settling to the upstream's count corrects it either way), and
 * what `maxInputTokens` needs besides the body's size.
 */
export function measurePrompt(body: unknown): PromptMeasure {
  const m: PromptMeasure = { estimate: 0, mediaChars: 0, mediaParts: 0, hasTools: false };
  let chars = 0;
  const walk = (value: unknown, key?: string) => {
    if (typeof value === "string") {
      if (key === "model") return;
      if (key !== undefined && isInlineMedia(key, value)) {
        m.mediaChars += value.length;
        m.mediaParts += 1;
        return;
      }
      if (key !== undefined && MEDIA_REF_KEYS.has(key)) m.mediaParts += 1;
      chars += value.length;
    } else if (Array.isArray(value)) {
      if (key === "tools" && value.length > 0) m.hasTools = true;
      for (const item of value) walk(item);
    } else if (value && typeof value === "object") {
      const record = value as Record<string, unknown>;
      for (const k in record) if (Object.hasOwn(record, k)) walk(record[k], k);
    }
  };
  walk(body);
  m.estimate = Math.ceil((chars + m.mediaChars) / 4);
  return m;
}

/** Tokens a provider may add for tool definitions beyond their JSON (Anthropic's tool-use prompt is ~350). */
export const TOOL_PROMPT_TOKENS = 1024;
/** Tokens one image or document may count besides its data; providers charge images by their pixels. */
export const MEDIA_PART_TOKENS = 5000;
/** The reply's priming and the message framing a body of a few bytes still gets. */
const FRAMING_TOKENS = 16;

/**
 * An upper bound of the prompt's tokens, for the spend reservation, so that the real cost of an
 * admitted request never exceeds what was reserved for it. Tokenizers take at least one byte of
 * text per token, so the body's UTF-8 size bounds its text and its message framing alike (every
 * message's JSON punctuation is longer than the few tokens a provider frames it with). Inline
 * media counts a quarter of its base64 size plus MEDIA_PART_TOKENS, referenced media
 * MEDIA_PART_TOKENS, and tool definitions TOOL_PROMPT_TOKENS more.
 */
export function maxInputTokens(bodyBytes: number, m: PromptMeasure): number {
  return bodyBytes - m.mediaChars + Math.ceil(m.mediaChars / 4) + m.mediaParts * MEDIA_PART_TOKENS + (m.hasTools ? TOOL_PROMPT_TOKENS : 0) + FRAMING_TOKENS;
}

/** The output limit the client asked for, in whichever protocol's field. */
export function requestedOutputTokens(body: Record<string, unknown>): number {
  const config = body.generationConfig as { maxOutputTokens?: unknown } | undefined;
  for (const v of [body.max_completion_tokens, body.max_tokens, body.max_output_tokens, config?.maxOutputTokens]) {
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
  /** The body's size in bytes, as sent. */
  bodyBytes: number;
  catalog: Catalog;
  protocol: Protocol;
  requestId: string;
  billable: boolean;
  /** False for a call that generates no output (embeddings): no output tokens are reserved. */
  generates?: boolean;
}

/**
 * The last two checks of DESIGN.md's order, after the model: the key's rate limits, then its
 * spend limit (per UTC day, week or month) and the order's balance, reserved atomically before anything is forwarded
 * (so concurrent requests cannot overspend) and settled to the real cost afterwards.
 * A store that cannot be reached refuses the request: money is never spent unchecked.
 *
 * With the in-process stores the answer comes back at once (no promise: this is on every
 * request's path); with Redis, as a promise. A refusal is thrown either way.
 */
export function admitRequest(input: AdmissionInput): Admission | Promise<Admission> {
  const { key } = input;
  const prompt = measurePrompt(input.body);
  const outputTokens = input.billable && input.generates !== false ? requestedOutputTokens(input.body) : 0;
  const rate = checkRateLimit({
    keyId: key.id,
    rpm: key.rpmLimit ?? key.plan.rpm,
    tpm: key.tpmLimit ?? key.plan.tpm,
    estimatedTokens: prompt.estimate + outputTokens,
  });
  return rate instanceof Promise ? rate.then((r) => reserveSpend(input, r, prompt, outputTokens)) : reserveSpend(input, rate, prompt, outputTokens);
}

/** What a store seeds a key's order and period from: the same for every request of a cached key. */
const seedsByKey = new WeakMap<GatewayKey, Pick<ReserveInput, "order" | "key">>();

function spendSeeds(key: GatewayKey): Pick<ReserveInput, "order" | "key"> {
  let seeds = seedsByKey.get(key);
  if (!seeds) {
    seeds = {
      order: { hasCredit: key.plan.creditMicros > 0n, balanceMicros: () => readOrderBalance(getDb(), key.order.id) },
      key: {
        limitMicros: key.spendLimitMicros,
        period: key.spendLimitPeriod,
        spentInPeriodMicros: (period) => readKeyPeriodSpend(getDb(), key.id, period),
      },
    };
    seedsByKey.set(key, seeds);
  }
  return seeds;
}

function reserveSpend(input: AdmissionInput, rate: RateLimitDecision, prompt: PromptMeasure, outputTokens: number): Admission | Promise<Admission> {
  const { key } = input;
  const headers = rateLimitHeaders(rate, input.protocol);
  if (!rate.allowed) {
    throw new GatewayError("rate_limit_exceeded", {
      limit: rate.limitedBy === "tokens" ? rate.limitTokens : rate.limitRequests,
      unit: rate.limitedBy,
      retryAfterSeconds: rate.retryAfterSeconds,
      ...(rate.retryAfterSeconds === undefined ? {} : { resetsAt: new Date(Date.now() + rate.retryAfterSeconds * 1000) }),
      headers,
    });
  }
  const price = input.catalog.prices.get(input.model);
  const tracksMoney = input.billable && price && (key.plan.creditMicros > 0n || key.spendLimitMicros !== null);
  if (!tracksMoney) return admission(input.requestId, headers, rate, undefined);
  // The most the request can cost: its prompt's upper bound at the dearest input price (a cache
  // write may cost more than plain input), and every output token the client allows.
  const inputTokens = maxInputTokens(input.bodyBytes, prompt);
  const dearCacheWrite = (price.cacheWriteMicrosPerM ?? 0) > price.inputMicrosPerM;
  const usage = dearCacheWrite ? { inputTokens: 0, cacheWriteTokens: inputTokens, outputTokens } : { inputTokens, outputTokens };
  const estimateMicros = computeCostMicros(usage, price, key.plan.multiplierBps);
  const seeds = spendSeeds(key);
  const result = getSpendStore().reserve({
    requestId: input.requestId,
    orderId: key.order.id,
    keyId: key.id,
    estimateMicros,
    order: seeds.order,
    key: seeds.key,
  });
  if (!(result instanceof Promise)) return afterReserve(input.requestId, headers, rate, result);
  return result.then(
    (r) => afterReserve(input.requestId, headers, rate, r),
    async (err: unknown): Promise<never> => {
      await settleTokens(rate, 0);
      if (err instanceof SpendStoreUnavailableError)
        throw new GatewayError("service_unavailable", { check: "spend", retryAfterSeconds: 1, headers, cause: err });
      throw err;
    },
  );
}

/** The reservation's answer: an admission, or the refusal (after giving back the counted tokens). */
function afterReserve(requestId: string, headers: Record<string, string>, rate: RateLimitDecision, r: ReserveResult): Admission | Promise<Admission> {
  if (r.ok) return admission(requestId, headers, rate, r.reservation);
  const error =
    r.code === "api_key_quota_exceeded"
      ? new GatewayError("api_key_quota_exceeded", {
          period: r.period,
          resetsAt: r.resetsAt,
          limitMicros: r.limitMicros,
          spentMicros: r.spentMicros,
          reservedMicros: r.reservedMicros,
          headers,
        })
      : new GatewayError("billing_shortfall", { balanceMicros: r.balanceMicros, availableMicros: r.availableMicros, headers });
  const giveBack = settleTokens(rate, 0);
  if (giveBack instanceof Promise) return giveBack.then(() => Promise.reject(error));
  throw error;
}

function admission(requestId: string, headers: Record<string, string>, rate: RateLimitDecision, reservation: Reservation | undefined): Admission {
  let finished = false;
  if (reservation) gatewayMetrics().reservations.inc();
  const failed = (err: unknown) => logger.error({ err, requestId }, "settling limits failed");
  return {
    headers,
    finish(actual) {
      if (finished) return;
      finished = true;
      if (reservation) gatewayMetrics().reservations.dec();
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
