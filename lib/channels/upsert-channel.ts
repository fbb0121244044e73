import "server-only";
import { recordAudit, type Actor } from "@/lib/audit";
import { CHANNEL_KEY_AAD, encryptSecret, type SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { invalidateCatalog } from "@/lib/gateway/catalog";
import { channelInputSchema, type ChannelInput } from "./channel-schema";

/** Associated data for channel key ciphertexts: they decrypt only as channel keys. */

/** Creates the channel, or updates the one with that name. The upstream key is stored encrypted. */
export async function upsertChannel(db: Prisma, input: ChannelInput, ctx: { keys: SecretKeys; actor: Actor }) {
  const c = channelInputSchema.parse(input);
  const data = {
    provider: c.provider,
    baseUrl: c.baseUrl,
    apiKeyCiphertext: encryptSecret(c.apiKey, ctx.keys.channelKey, CHANNEL_KEY_AAD),
    models: [...new Set(c.models)],
    modelMap: c.modelMap,
    priority: c.priority,
    weight: c.weight,
    enabled: c.enabled,
  };
  const result = await db.$transaction(async (tx) => {
    const existing = await tx.upstreamChannel.findUnique({ where: { name: c.name }, select: { id: true } });
    const channel = await tx.upstreamChannel.upsert({ where: { name: c.name }, create: { name: c.name, ...data }, update: data });
    await recordAudit(tx, {
      actor: ctx.actor,
      action: existing ? "channel.updated" : "channel.created",
      targetType: "upstream_channel",
      targetId: channel.id,
      details: { name: c.name, provider: c.provider, baseUrl: c.baseUrl, models: data.models, enabled: c.enabled },
    });
    return channel;
  });
  // The gateway serves from an in-process copy of channels and prices: make it reload now.
  invalidateCatalog();
  return result;
}
