import { z } from "zod";
import { KeyLimitsError, setKeyLimits } from "@/lib/keys/set-key-limits";
import { CliError, csv, type Command } from "../command";

const NONE = new Set(["none", "plan", "off", ""]);
const PERIODS = { day: "DAY", week: "WEEK", month: "MONTH" } as const;

function listOrNull(value: unknown): string[] | null | undefined {
  if (typeof value !== "string") return undefined;
  return NONE.has(value.trim().toLowerCase()) ? null : csv(value);
}

function numberOrNull(value: unknown, name: string): number | null | undefined {
  if (typeof value !== "string") return undefined;
  if (NONE.has(value.trim().toLowerCase())) return null;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new CliError(`--${name} must be a number or "none" (got "${value}").`, 2);
  return n;
}

function period(value: unknown): "DAY" | "WEEK" | "MONTH" | undefined {
  if (typeof value !== "string") return undefined;
  const p = PERIODS[value.trim().toLowerCase() as keyof typeof PERIODS];
  if (!p) throw new CliError(`--period must be day, week or month (got "${value}").`, 2);
  return p;
}

export const keyLimitsCommand: Command = {
  path: ["key", "limits"],
  summary: "Set a key's model scope, spend limit (per UTC day, week or month), IP allowlist or rate overrides (audited).",
  usage: "key limits ID [--models a,b|none] [--spend-usd N|none] [--period day|week|month] [--ips CIDR,...|none] [--rpm N|plan] [--tpm N|plan]",
  help: [
    "  --models       a subset of the plan's models (none: all of the plan's)",
    "  --spend-usd    spend limit per period; none: no limit",
    "  --period       the limit's UTC period: day, week (from Monday 00:00 UTC) or month (calendar);",
    "                 it resets exactly at the period's end",
    "  --monthly-usd  the same as --spend-usd N --period month",
    "  --ips          IPv4/IPv6 addresses or CIDRs the key may be used from; none: any",
    "  --rpm/--tpm    override the plan's per-key rate limits; plan: back to the plan's",
  ].join("\n"),
  options: {
    models: { type: "string" },
    "spend-usd": { type: "string" },
    period: { type: "string" },
    "monthly-usd": { type: "string" },
    ips: { type: "string" },
    rpm: { type: "string" },
    tpm: { type: "string" },
  },
  positionals: { min: 1, max: 1, names: ["ID"] },
  async run(ctx, { values, positionals }) {
    const monthly = values["monthly-usd"] !== undefined;
    if (monthly && (values["spend-usd"] !== undefined || values.period !== undefined)) {
      throw new CliError("Give either --monthly-usd or --spend-usd with --period, not both.", 2);
    }
    try {
      const key = await setKeyLimits(ctx.database().prisma, {
        keyId: positionals[0] ?? "",
        modelScope: listOrNull(values.models),
        spendLimitUsd: monthly ? numberOrNull(values["monthly-usd"], "monthly-usd") : numberOrNull(values["spend-usd"], "spend-usd"),
        spendLimitPeriod: monthly ? "MONTH" : period(values.period),
        ipAllowlist: listOrNull(values.ips),
        rpm: numberOrNull(values.rpm, "rpm"),
        tpm: numberOrNull(values.tpm, "tpm"),
        actor: { label: "cli" },
      });
      const data = { ...key, spendLimitMicros: key.spendLimitMicros?.toString() ?? null };
      return { data: { key: data }, text: `Limits of key ${key.id} saved.` };
    } catch (err) {
      if (err instanceof KeyLimitsError) throw new CliError(err.message);
      // A spend limit of 0 or less, or out-of-range rates.
      if (err instanceof z.ZodError) throw new CliError(err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "), 2);
      throw err;
    }
  },
};
