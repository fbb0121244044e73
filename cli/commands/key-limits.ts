import { KeyLimitsError, setKeyLimits } from "@/lib/keys/set-key-limits";
import { CliError, csv, type Command } from "../command";

const NONE = new Set(["none", "plan", "off", ""]);

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

export const keyLimitsCommand: Command = {
  path: ["key", "limits"],
  summary: "Set a key's model scope, monthly spend limit, IP allowlist or rate overrides (audited).",
  usage: "key limits ID [--models a,b|none] [--monthly-usd N|none] [--ips CIDR,...|none] [--rpm N|plan] [--tpm N|plan]",
  help: [
    "  --models       a subset of the plan's models (none: all of the plan's)",
    "  --monthly-usd  spend limit per calendar month (UTC); none: no limit",
    "  --ips          IPv4/IPv6 addresses or CIDRs the key may be used from; none: any",
    "  --rpm/--tpm    override the plan's per-key rate limits; plan: back to the plan's",
  ].join("\n"),
  options: { models: { type: "string" }, "monthly-usd": { type: "string" }, ips: { type: "string" }, rpm: { type: "string" }, tpm: { type: "string" } },
  positionals: { min: 1, max: 1, names: ["ID"] },
  async run(ctx, { values, positionals }) {
    try {
      const key = await setKeyLimits(ctx.database().prisma, {
        keyId: positionals[0] ?? "",
        modelScope: listOrNull(values.models),
        monthlyLimitUsd: numberOrNull(values["monthly-usd"], "monthly-usd"),
        ipAllowlist: listOrNull(values.ips),
        rpm: numberOrNull(values.rpm, "rpm"),
        tpm: numberOrNull(values.tpm, "tpm"),
        actor: { label: "cli" },
      });
      const data = { ...key, monthlyLimitMicros: key.monthlyLimitMicros?.toString() ?? null };
      return { data: { key: data }, text: `Limits of key ${key.id} saved.` };
    } catch (err) {
      if (err instanceof KeyLimitsError) throw new CliError(err.message);
      throw err;
    }
  },
};
