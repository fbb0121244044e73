import { formatUsd, parseUsdToMicros } from "@/lib/billing/money";
import { providerSchema } from "@/lib/channels";
import { listPricedModels, priceHistory, setPrice, type PriceSummary } from "@/lib/prices";
import { CliError, requireString, table, type Command } from "../command";

function usdPerM(values: Record<string, unknown>, name: string, required: true): bigint;
function usdPerM(values: Record<string, unknown>, name: string, required: false): bigint | undefined;
function usdPerM(values: Record<string, unknown>, name: string, required: boolean): bigint | undefined {
  const v = values[name];
  if (v === undefined && !required) return undefined;
  const text = required ? requireString(values, name) : String(v);
  const micros = parseUsdToMicros(text);
  if (micros === null) throw new CliError(`--${name} is USD per million tokens, e.g. 3 or 0.40 (got "${text}").`, 2);
  return micros;
}

export const priceSetCommand: Command = {
  path: ["price", "set"],
  summary: "Add a model's price, or change it (applies to the next request; audited).",
  usage: "price set --model M --input USD_PER_MTOK --output USD_PER_MTOK [--cache-read USD] [--cache-write USD] [--provider openai|anthropic|gemini]",
  help: [
    "  --model        the model id clients send, e.g. claude-opus-5-5",
    "  --input        USD per million input tokens, e.g. 15",
    "  --output       USD per million output tokens, e.g. 75",
    "  --cache-read   USD per million cached input tokens read (omit: charged as input; a change keeps the current one)",
    "  --cache-write  USD per million tokens written to the cache (same)",
    "  --provider     the protocol its upstream speaks; needed only for a new model whose name does not say (claude-…, gpt-…, gemini-…)",
    "",
    "A model needs a price before a plan can sell it or a channel can serve it. Every change is kept",
    "in the audit log (`price history --model M`); requests already made keep what they were charged.",
    "",
    "Example: npm run gatehouse -- price set --model claude-opus-5-5 --input 15 --output 75 --cache-read 1.5 --cache-write 18.75",
  ].join("\n"),
  options: {
    model: { type: "string" },
    input: { type: "string" },
    output: { type: "string" },
    "cache-read": { type: "string" },
    "cache-write": { type: "string" },
    provider: { type: "string" },
  },
  async run(ctx, { values }) {
    const model = requireString(values, "model");
    let provider;
    if (typeof values.provider === "string") {
      const parsed = providerSchema.safeParse(values.provider.trim().toUpperCase());
      if (!parsed.success) throw new CliError("--provider must be openai, anthropic or gemini.", 2);
      provider = parsed.data;
    }
    const { price, created } = await setPrice(ctx.database().prisma, {
      model,
      provider,
      inputMicrosPerM: usdPerM(values, "input", true),
      outputMicrosPerM: usdPerM(values, "output", true),
      cacheReadMicrosPerM: usdPerM(values, "cache-read", false),
      cacheWriteMicrosPerM: usdPerM(values, "cache-write", false),
      source: "set with the CLI",
      actor: { label: "cli" },
    });
    return {
      data: { price: priceDto(price), created },
      text: `${created ? "Added" : "Changed"} the price of ${price.model} (${price.provider}): ${describe(price)}. New requests use it now.`,
    };
  },
};

export const priceListCommand: Command = {
  path: ["price", "list"],
  summary: "List model prices (USD per million tokens).",
  usage: "price list",
  async run(ctx) {
    const prices = await ctx.database().prisma.modelPrice.findMany({ orderBy: [{ provider: "asc" }, { model: "asc" }] });
    const cell = (m: number | null) => (m === null ? "-" : formatUsd(m));
    const rows = prices.map((p) => [
      p.model,
      p.provider,
      formatUsd(p.inputMicrosPerM),
      formatUsd(p.outputMicrosPerM),
      cell(p.cacheReadMicrosPerM),
      cell(p.cacheWriteMicrosPerM),
      p.effectiveDate?.toISOString().slice(0, 10) ?? "-",
    ]);
    return {
      data: { prices: prices.map(priceDto) },
      text: prices.length
        ? table(["MODEL", "PROVIDER", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "SINCE"], rows)
        : "No prices yet. Add one with: npm run gatehouse -- price set --help",
    };
  },
};

export const priceHistoryCommand: Command = {
  path: ["price", "history"],
  summary: "A model's prices over time (from the audit log).",
  usage: "price history --model M",
  options: { model: { type: "string" } },
  async run(ctx, { values }) {
    const model = requireString(values, "model");
    const db = ctx.database().prisma;
    if (!(await listPricedModels(db)).some((p) => p.model === model))
      throw new CliError(`${model} has no price. Add one with: npm run gatehouse -- price set --model ${model} --input USD --output USD`);
    const history = await priceHistory(db, model);
    const cell = (m: number | null) => (m === null ? "-" : formatUsd(m));
    return {
      data: { model, history: history.map((h) => ({ ...h, at: h.at.toISOString() })) },
      text: history.length
        ? table(
            ["WHEN", "BY", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE"],
            history.map((h) => [
              h.at.toISOString(),
              h.actor,
              cell(h.inputMicrosPerM),
              cell(h.outputMicrosPerM),
              cell(h.cacheReadMicrosPerM),
              cell(h.cacheWriteMicrosPerM),
            ]),
          )
        : `${model} has had the same price since it was seeded (no changes recorded).`,
    };
  },
};

function describe(p: Pick<PriceSummary, "inputMicrosPerM" | "outputMicrosPerM" | "cacheReadMicrosPerM" | "cacheWriteMicrosPerM">): string {
  const parts = [`input ${formatUsd(p.inputMicrosPerM)}`, `output ${formatUsd(p.outputMicrosPerM)}`];
  if (p.cacheReadMicrosPerM !== null) parts.push(`cache read ${formatUsd(p.cacheReadMicrosPerM)}`);
  if (p.cacheWriteMicrosPerM !== null) parts.push(`cache write ${formatUsd(p.cacheWriteMicrosPerM)}`);
  return `${parts.join(", ")} per million tokens`;
}

function priceDto(
  p: Pick<PriceSummary, "model" | "provider" | "inputMicrosPerM" | "outputMicrosPerM" | "cacheReadMicrosPerM" | "cacheWriteMicrosPerM" | "effectiveDate">,
) {
  return {
    model: p.model,
    provider: p.provider,
    inputMicrosPerM: p.inputMicrosPerM,
    outputMicrosPerM: p.outputMicrosPerM,
    cacheReadMicrosPerM: p.cacheReadMicrosPerM,
    cacheWriteMicrosPerM: p.cacheWriteMicrosPerM,
    effectiveDate: p.effectiveDate?.toISOString() ?? null,
  };
}
