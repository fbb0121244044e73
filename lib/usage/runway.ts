import { formatUsd } from "@/lib/billing/money";
import { periodAdjective, utcDay, type SpendPeriod } from "@/lib/billing/period";

// What runs out first for an order (and one of its keys), and when: the access window, the
// order's credit at the recent spending rate, or the key's spend limit (per UTC day, week or month)
// before it resets.
// Pure: the loader (load-runway.ts) reads the numbers, this decides and words them.

export type RunwayLimit = "access" | "credit" | "key_limit";

/** The days of spending the rate is measured over. */
export const RUNWAY_RATE_DAYS = 7;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface RunwayInput {
  now: Date;
  accessStart: Date;
  accessEnd: Date;
  /** The order's credit: null for a plan without credit (no spend cap). */
  credit: { balanceMicros: bigint } | null;
  /** The order's spend over the measured window (`rateSince` to `now`). */
  orderSpendMicros: bigint;
  /** The key's spend limit, its period (default MONTH), the period's spend and its end; null without a limit. */
  keyLimit: { limitMicros: bigint; period?: SpendPeriod; spentInPeriodMicros: bigint; resetsAt: Date } | null;
  /** The key's spend over the measured window; defaults to the order's. */
  keySpendMicros?: bigint;
  /** Start of the window the spend was measured over (at most RUNWAY_RATE_DAYS before `now`). */
  rateSince: Date;
}

export interface Runway {
  /** What runs out first. */
  first: RunwayLimit;
  /** When it runs out (or ran out: `now` when already used up). */
  endsAt: Date;
  /** When the key's limit resets (the start of its next UTC period); null without a limit. */
  keyLimitResetsAt: Date | null;
  /** Whether `first` has already run out. */
  reached: boolean;
  /** One sentence for people. */
  sentence: string;
  /** Micro-dollars per day at the measured rate (the order's). */
  dailyRateMicros: bigint;
  /** When the credit runs out at that rate: null without credit or without spending. */
  creditEndsAt: Date | null;
  /** When the key's limit is reached at the key's rate before it resets: null otherwise. */
  keyLimitReachedAt: Date | null;
}

/** "3 days", "about 9 days", "5 hours", "less than a minute": the span from now, in words. */
export function formatSpan(ms: number, approximate = false): string {
  const about = approximate ? "about " : "";
  if (ms < MINUTE) return "less than a minute";
  if (ms < 2 * HOUR) {
    const n = Math.round(ms / MINUTE);
    return `${about}${n} minute${n === 1 ? "" : "s"}`;
  }
  if (ms < 2 * DAY) {
    const n = Math.round(ms / HOUR);
    return `${about}${n} hours`;
  }
  const n = Math.round(ms / DAY);
  return `${about}${n} days`;
}

/** When `remaining` is used up at `spend` per `windowMs`, or null when nothing is being spent. */
function exhaustion(now: Date, remaining: bigint, spend: bigint, windowMs: number): Date | null {
  if (remaining <= 0n) return now;
  if (spend <= 0n || windowMs <= 0) return null;
  // remaining / (spend / window), in integer milliseconds; capped far in the future.
  const ms = (remaining * BigInt(Math.round(windowMs))) / spend;
  const capped = ms > BigInt(100 * 365 * DAY) ? 100 * 365 * DAY : Number(ms);
  return new Date(now.getTime() + capped);
}

/** Decides what runs out first and words it as one sentence. */
export function computeRunway(input: RunwayInput): Runway {
  const { now, accessEnd } = input;
  const windowMs = Math.max(0, now.getTime() - input.rateSince.getTime());
  const dailyRateMicros = windowMs > 0 ? (input.orderSpendMicros * BigInt(DAY)) / BigInt(Math.round(windowMs)) : 0n;
  const creditEndsAt = input.credit ? exhaustion(now, input.credit.balanceMicros, input.orderSpendMicros, windowMs) : null;
  let keyLimitReachedAt: Date | null = null;
  if (input.keyLimit) {
    const left = input.keyLimit.limitMicros - input.keyLimit.spentInPeriodMicros;
    const at = exhaustion(now, left, input.keySpendMicros ?? input.orderSpendMicros, windowMs);
    // Reached only if it happens before the limit resets; afterwards a new period starts.
    if (at && at.getTime() < input.keyLimit.resetsAt.getTime()) keyLimitReachedAt = at;
  }

  const keyLimitResetsAt = input.keyLimit?.resetsAt ?? null;
  const accessLeft = accessEnd.getTime() - now.getTime();
  const accessEnded = accessLeft <= 0;
  const accessClause = accessEnded ? `access ended ${utcDay(accessEnd)} (UTC)` : `access ends in ${formatSpan(accessLeft)}`;
  const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

  // The access window bounds everything: nothing after its end matters.
  if (accessEnded) {
    return {
      first: "access",
      endsAt: accessEnd,
      reached: true,
      sentence: `${capitalise(accessClause)}.`,
      dailyRateMicros,
      creditEndsAt,
      keyLimitReachedAt,
      keyLimitResetsAt,
    };
  }

  const candidates: { first: RunwayLimit; at: Date }[] = [];
  if (creditEndsAt && creditEndsAt.getTime() < accessEnd.getTime()) candidates.push({ first: "credit", at: creditEndsAt });
  if (keyLimitReachedAt && keyLimitReachedAt.getTime() < accessEnd.getTime()) candidates.push({ first: "key_limit", at: keyLimitReachedAt });
  candidates.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.first === "credit" ? -1 : 1));
  const winner = candidates[0];

  if (!winner) {
    let tail = "";
    if (input.credit && input.orderSpendMicros <= 0n)
      tail = `; your credit of ${formatUsd(input.credit.balanceMicros)} is untouched in the last ${RUNWAY_RATE_DAYS} days`;
    else if (input.credit) tail = "; your credit lasts beyond that at your current rate";
    return {
      first: "access",
      endsAt: accessEnd,
      reached: false,
      sentence: `${capitalise(accessClause)}${tail}.`,
      dailyRateMicros,
      creditEndsAt,
      keyLimitReachedAt,
      keyLimitResetsAt,
    };
  }

  const reached = winner.at.getTime() <= now.getTime();
  if (winner.first === "credit") {
    const lead = reached ? "Your credit is used up" : `Your credit lasts ${formatSpan(winner.at.getTime() - now.getTime(), true)} at your current rate`;
    return {
      first: "credit",
      endsAt: winner.at,
      reached,
      sentence: `${lead}; ${accessClause}.`,
      dailyRateMicros,
      creditEndsAt,
      keyLimitReachedAt,
      keyLimitResetsAt,
    };
  }

  const resetsAt = input.keyLimit!.resetsAt;
  const limitName = `${periodAdjective(input.keyLimit!.period ?? "MONTH")} spend limit`;
  const resetIn = formatSpan(resetsAt.getTime() - now.getTime());
  // Periods start at a UTC midnight, so the day names the instant.
  const resetAt = `${utcDay(resetsAt)} 00:00 UTC`;
  const afterAccess = resetsAt.getTime() >= accessEnd.getTime();
  if (reached) {
    const sentence = afterAccess
      ? `This key has reached its ${limitName}, which resets after your access ends; ${accessClause}.`
      : `This key has reached its ${limitName} until it resets in ${resetIn} (${resetAt}); ${accessClause}.`;
    return { first: "key_limit", endsAt: winner.at, reached, sentence, dailyRateMicros, creditEndsAt, keyLimitReachedAt, keyLimitResetsAt };
  }
  const sentence = `This key reaches its ${limitName} in ${formatSpan(winner.at.getTime() - now.getTime(), true)} at your current rate (it resets ${resetAt}); ${accessClause}.`;
  return { first: "key_limit", endsAt: winner.at, reached, sentence, dailyRateMicros, creditEndsAt, keyLimitReachedAt, keyLimitResetsAt };
}
