import { formatUsd } from "@/lib/billing/money";
import { parseTrustedProxies } from "@/lib/server/trusted-proxies";

// What a key's own limits may be, whoever sets them (a buyer on the order page, support in the
// console, an operator with the CLI): a subset of the plan's models, a positive spend limit per UTC
// day, week or month, and an IP allowlist the gateway can read (the same parser it uses).

export const SPEND_LIMIT_PERIODS = ["DAY", "WEEK", "MONTH"] as const;
export type SpendLimitPeriodName = (typeof SPEND_LIMIT_PERIODS)[number];

/** The largest spend limit accepted, in dollars (amounts travel as doubles in Redis: far below 2^53 µ$). */
export const MAX_SPEND_LIMIT_USD = 1_000_000;
export const MAX_ALLOWLIST_ENTRIES = 100;
export const MAX_KEY_NAME_LENGTH = 80;

/**
 * One message per allowlist entry the gateway could not read, or none. Each entry is one IPv4 or
 * IPv6 address or CIDR range (the gateway's parser also reads `loopback` and `private`).
 */
export function allowlistProblems(entries: readonly string[]): string[] {
  const problems: string[] = [];
  for (const entry of entries) {
    const parsed = entry.includes(",") ? null : parseTrustedProxies(entry);
    if (!parsed?.ok || parsed.matcher.isEmpty) {
      const shown = entry.length > 60 ? `${entry.slice(0, 60)}…` : entry;
      problems.push(`"${shown}" is not an IP address or CIDR range (for example 203.0.113.7, 203.0.113.0/24 or 2001:db8::/32).`);
    }
  }
  if (entries.length > MAX_ALLOWLIST_ENTRIES) problems.push(`At most ${MAX_ALLOWLIST_ENTRIES} entries.`);
  return problems;
}

/** The models of `scope` the plan does not offer. */
export function modelsOutsidePlan(scope: readonly string[], planModels: readonly string[]): string[] {
  const plan = new Set(planModels);
  return scope.filter((m) => !plan.has(m));
}

const PERIOD_RESETS: Record<SpendLimitPeriodName, string> = {
  DAY: "a day, reset at 00:00 UTC",
  WEEK: "a week, reset on Monday at 00:00 UTC",
  MONTH: "a month, reset on the 1st at 00:00 UTC",
};

/** "$5.00 a day, reset at 00:00 UTC", or "None": a key's spend limit in words. */
export function spendLimitText(micros: bigint | null, period: SpendLimitPeriodName): string {
  return micros === null ? "None" : `${formatUsd(micros)} ${PERIOD_RESETS[period]}`;
}
