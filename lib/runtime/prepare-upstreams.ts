import type { Provider } from "@/lib/db/types";
import { upsertChannel } from "@/lib/channels";
import type { Config, Secrets } from "@/lib/config";
import { deriveSecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { startMockUpstream } from "@/lib/mock-upstream";

const PROVIDERS: { provider: Provider; env: keyof Config["upstreams"]; label: string }[] = [
  { provider: "OPENAI", env: "openai", label: "OpenAI" },
  { provider: "ANTHROPIC", env: "anthropic", label: "Anthropic" },
  { provider: "GEMINI", env: "gemini", label: "Gemini" },
];

export const MOCK_CHANNEL_PREFIX = "Demo mock";

/**
 * Makes the channels match the environment at every start: a channel per provider whose
 * `*_API_KEY` is set, serving that provider's priced models; and, when no real provider is
 * configured (or MOCK_UPSTREAM=on), the bundled mock upstream with a channel per protocol.
 * Mock channels are disabled whenever the mock does not run, so traffic never goes to a dead port.
 */
export async function prepareUpstreams(db: Prisma, config: Config, secrets: Pick<Secrets, "gatehouseSecret">) {
  const keys = deriveSecretKeys(secrets.gatehouseSecret);
  const actor = { label: "system" } as const;
  const modelsOf = async (provider: Provider) =>
    (await db.modelPrice.findMany({ where: { provider }, select: { model: true }, orderBy: { model: "asc" } })).map((m) => m.model);

  const real: string[] = [];
  for (const p of PROVIDERS) {
    const upstream = config.upstreams[p.env];
    if (!upstream) continue;
    const models = await modelsOf(p.provider);
    if (models.length === 0) continue;
    await upsertChannel(
      db,
      { name: `${p.label} (environment)`, provider: p.provider, baseUrl: upstream.baseUrl, apiKey: upstream.apiKey, models, priority: 10 },
      { keys, actor },
    );
    real.push(p.label);
  }

  const runMock = config.mockUpstream.mode === "on" || (config.mockUpstream.mode === "auto" && real.length === 0);
  if (!runMock) {
    await db.upstreamChannel.updateMany({ where: { name: { startsWith: MOCK_CHANNEL_PREFIX } }, data: { enabled: false } });
    return {
      summary: real.length ? `real providers: ${real.join(", ")}` : "no upstream configured (set OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY)",
      close: undefined,
    };
  }

  const mock = await startMockUpstream({ port: config.mockUpstream.port, record: false });
  for (const p of PROVIDERS) {
    const models = await modelsOf(p.provider);
    if (models.length === 0) continue;
    await upsertChannel(
      db,
      {
        name: `${MOCK_CHANNEL_PREFIX} (${p.label})`,
        provider: p.provider,
        // OpenAI clients put /v1 in the base URL; Anthropic and Gemini paths carry their version.
        baseUrl: p.provider === "OPENAI" ? `${mock.url}/v1` : mock.url,
        apiKey: "mock-upstream-key",
        models,
        priority: -100,
      },
      { keys, actor },
    );
  }
  return {
    summary: `bundled mock upstream at ${mock.url}${real.length ? ` (also real: ${real.join(", ")})` : " (no real provider configured)"}`,
    close: () => mock.close(),
  };
}
