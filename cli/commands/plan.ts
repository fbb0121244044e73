import { formatUsd } from "@/lib/billing/money";
import { clearKeyCache } from "@/lib/gateway/key-cache";
import { aliasesOf, upsertPlan } from "@/lib/plans";
import { CliError, csv, optionalNumber, requireString, table, type Command } from "../command";

export const planAddCommand: Command = {
  path: ["plan", "add"],
  summary: "Create a plan, or update the plan with that name.",
  usage: "plan add --name NAME --models a,b --days N --rpm N [--tpm N] [--credit USD] [--multiplier X] [--max-keys N] [--self-rotate] [--alias name=model,...]",
  help: [
    "  --models      comma-separated model ids; each must have a price (see the seed's price table)",
    "  --days        access duration in days",
    "  --rpm/--tpm   requests / tokens per minute per key",
    "  --credit      USD granted to each order when it activates (omit: no spend cap)",
    "  --multiplier  price multiplier, e.g. 1.2 (default 1)",
    "  --self-rotate buyers may rotate their own keys",
    "  --alias       a name clients may send for one of the plan's models, e.g. claude-opus-5-5=claude-opus-4-1",
    "                (repeat it or separate pairs with commas; served and billed as the model; replaces the plan's aliases)",
    "",
    "Example: npm run gatehouse -- plan add --name Team --models gpt-4.1,claude-sonnet-4-6 --days 30 --rpm 120 --credit 50",
  ].join("\n"),
  options: {
    name: { type: "string" },
    description: { type: "string" },
    models: { type: "string" },
    days: { type: "string" },
    rpm: { type: "string" },
    tpm: { type: "string" },
    credit: { type: "string" },
    multiplier: { type: "string" },
    "max-keys": { type: "string" },
    "self-rotate": { type: "boolean" },
    alias: { type: "string", multiple: true },
  },
  async run(ctx, { values }) {
    const plan = await upsertPlan(ctx.database().prisma, {
      name: requireString(values, "name"),
      description: typeof values.description === "string" ? values.description : undefined,
      models: csv(requireString(values, "models")),
      durationDays: optionalNumber(values, "days") ?? missing("days"),
      rpm: optionalNumber(values, "rpm") ?? missing("rpm"),
      tpm: optionalNumber(values, "tpm"),
      creditUsd: optionalNumber(values, "credit"),
      multiplier: optionalNumber(values, "multiplier"),
      maxKeysPerOrder: optionalNumber(values, "max-keys"),
      selfRotate: values["self-rotate"] === true,
      aliases: aliasesFrom(values.alias),
    });
    // Keys are cached with their plan: an edited plan applies to the next request, on every instance.
    clearKeyCache();
    return { data: { plan: planDto(plan) }, text: `Saved plan "${plan.name}" (${plan.id}).` };
  },
};

export const planListCommand: Command = {
  path: ["plan", "list"],
  summary: "List plans.",
  usage: "plan list",
  async run(ctx) {
    const plans = await ctx.database().prisma.plan.findMany({ orderBy: { name: "asc" } });
    const rows = plans.map((p) => [
      p.name,
      `${p.durationDays}d`,
      String(p.rpm),
      p.tpm ? String(p.tpm) : "-",
      p.creditMicros > 0n ? formatUsd(p.creditMicros) : "none",
      `${p.multiplierBps / 10_000}x`,
      p.selfRotate ? "yes" : "no",
      [...p.models, ...Object.entries(aliasesOf(p.modelAliases, p.models)).map(([alias, model]) => `${alias}=>${model}`)].join(","),
    ]);
    return {
      data: { plans: plans.map(planDto) },
      text: plans.length
        ? table(["NAME", "DAYS", "RPM", "TPM", "CREDIT", "MULT", "ROTATE", "MODELS"], rows)
        : "No plans yet. Create one with: npm run gatehouse -- plan add --help",
    };
  },
};

function aliasesFrom(value: unknown): Record<string, string> {
  const aliases: Record<string, string> = {};
  const pairs = (Array.isArray(value) ? value : typeof value === "string" ? [value] : []).flatMap((v: string) => csv(v));
  for (const pair of pairs) {
    const [alias, model, ...rest] = pair.split("=").map((s) => s.trim());
    if (!alias || !model || rest.length > 0) throw new CliError(`--alias entries look like name=model (got "${pair}").`, 2);
    aliases[alias] = model;
  }
  return aliases;
}

function missing(name: string): never {
  throw new CliError(`--${name} is required.`, 2);
}

function planDto(p: {
  id: string;
  name: string;
  models: string[];
  modelAliases: unknown;
  durationDays: number;
  rpm: number;
  tpm: number | null;
  creditMicros: bigint;
  multiplierBps: number;
  maxKeysPerOrder: number;
  selfRotate: boolean;
}) {
  return {
    id: p.id,
    name: p.name,
    models: p.models,
    aliases: aliasesOf(p.modelAliases, p.models),
    durationDays: p.durationDays,
    rpm: p.rpm,
    tpm: p.tpm,
    creditMicros: p.creditMicros.toString(),
    multiplierBps: p.multiplierBps,
    maxKeysPerOrder: p.maxKeysPerOrder,
    selfRotate: p.selfRotate,
  };
}
