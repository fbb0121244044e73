import { DEFAULT_BASE_URLS, providerSchema, upsertChannel } from "@/lib/channels";
import { deriveSecretKeys } from "@/lib/credentials";
import { CliError, csv, optionalNumber, requireString, table, type Command } from "../command";

export const channelAddCommand: Command = {
  path: ["channel", "add"],
  summary: "Add an upstream channel, or update the channel with that name.",
  usage:
    "channel add --provider openai|anthropic|gemini --api-key KEY --models a,b [--base-url URL] [--name NAME] [--priority N] [--weight N] [--map ours=theirs,...]",
  help: [
    "  --base-url  default: the provider's public API (OpenAI's includes /v1)",
    "  --map       model names to rewrite on the way up, e.g. claude-sonnet-4-6=claude-sonnet-4-6-20260101",
    "  --priority  higher is tried first; channels with equal priority share traffic",
    "  --weight    that channel's share among equal-priority channels (default 1): weights 3 and 1 split 75 / 25",
  ].join("\n"),
  options: {
    provider: { type: "string" },
    "base-url": { type: "string" },
    "api-key": { type: "string" },
    models: { type: "string" },
    name: { type: "string" },
    priority: { type: "string" },
    weight: { type: "string" },
    map: { type: "string" },
    disabled: { type: "boolean" },
  },
  async run(ctx, { values }) {
    const provider = providerSchema.safeParse(requireString(values, "provider").toUpperCase());
    if (!provider.success) throw new CliError("--provider must be openai, anthropic or gemini.", 2);
    const modelMap: Record<string, string> = {};
    for (const pair of csv(typeof values.map === "string" ? values.map : "")) {
      const [ours, theirs] = pair.split("=").map((s) => s.trim());
      if (!ours || !theirs) throw new CliError(`--map entries look like ours=theirs (got "${pair}").`, 2);
      modelMap[ours] = theirs;
    }
    const channel = await upsertChannel(
      ctx.database().prisma,
      {
        name: typeof values.name === "string" ? values.name : `${provider.data.toLowerCase()}-${Date.now().toString(36)}`,
        provider: provider.data,
        baseUrl: typeof values["base-url"] === "string" ? values["base-url"] : DEFAULT_BASE_URLS[provider.data],
        apiKey: requireString(values, "api-key"),
        models: csv(requireString(values, "models")),
        modelMap,
        priority: optionalNumber(values, "priority"),
        weight: optionalNumber(values, "weight"),
        enabled: values.disabled !== true,
      },
      { keys: deriveSecretKeys(ctx.secrets().gatehouseSecret), actor: { label: "cli" } },
    );
    return {
      data: {
        channel: { id: channel.id, name: channel.name, provider: channel.provider, baseUrl: channel.baseUrl, models: channel.models, enabled: channel.enabled },
      },
      text: `Saved channel "${channel.name}" (${channel.provider}, ${channel.baseUrl}, ${channel.models.length} models).`,
    };
  },
};

export const channelListCommand: Command = {
  path: ["channel", "list"],
  summary: "List upstream channels (keys are never shown).",
  usage: "channel list",
  async run(ctx) {
    const channels = await ctx.database().prisma.upstreamChannel.findMany({ orderBy: [{ priority: "desc" }, { name: "asc" }] });
    const dto = channels.map((c) => ({
      id: c.id,
      name: c.name,
      provider: c.provider,
      baseUrl: c.baseUrl,
      models: c.models,
      priority: c.priority,
      weight: c.weight,
      enabled: c.enabled,
    }));
    return {
      data: { channels: dto },
      text: dto.length
        ? table(
            ["NAME", "PROVIDER", "BASE URL", "PRIO", "WEIGHT", "ENABLED", "MODELS"],
            dto.map((c) => [c.name, c.provider, c.baseUrl, String(c.priority), String(c.weight), c.enabled ? "yes" : "no", c.models.join(",")]),
          )
        : "No channels yet. Add one with: npm run gatehouse -- channel add --help",
    };
  },
};
