import "server-only";
import { z } from "zod";
import { recordAudit, type Actor } from "@/lib/audit";
import { CHANNEL_KEY_AAD, decryptSecret, encryptSecret, type SecretKeys } from "@/lib/credentials";
import type { Provider } from "@/lib/db/types";
import type { Prisma } from "@/lib/db";
import { invalidateCatalog, type CatalogChannel } from "@/lib/gateway/catalog";
import { probeChannel, type ProbeResult } from "@/lib/gateway/probe-channel";
import { PROVIDER_PROTOCOL } from "@/lib/gateway/types";
import { beyond, decodeCursor, encodeCursor, listQuerySchema, textFilterSchema, toPage, type Page } from "@/lib/pagination";
import { safeText } from "@/lib/text/safe-text";
import { channelInputSchema, providerSchema } from "./channel-schema";

// The console's upstream channels: list, add, edit, enable/disable, test. The upstream key is
// write-only: it is stored as ciphertext, replaced by sending a new one, and shown only as its
// last four characters (computed here; the key itself never leaves this module). Every change
// is audited (never with the key) and reloads the gateway's catalog on every instance.

export interface ChannelSummary {
  id: string;
  name: string;
  provider: Provider;
  baseUrl: string;
  models: string[];
  modelMap: Record<string, string>;
  priority: number;
  weight: number;
  enabled: boolean;
  /** "…abcd", or a note when the key cannot be shown even in part. */
  keyHint: string;
  updatedAt: Date;
}

/** A channel as the console sends it. `apiKey` is absent when the key is kept. */
export const channelChangeSchema = z.object({
  provider: providerSchema,
  baseUrl: channelInputSchema.shape.baseUrl,
  apiKey: z.string().trim().min(1).max(4096).optional(),
  models: z.array(safeText({ trim: true }).min(1).max(200)).min(1),
  modelMap: z.record(safeText().min(1).max(200), safeText().min(1).max(200)).default({}),
  priority: z.number().int().min(-1000).max(1000),
  weight: z.number().int().min(1).max(1000),
  enabled: z.boolean(),
});
export type ChannelChange = z.input<typeof channelChangeSchema>;

export class ChannelExistsError extends Error {
  constructor(readonly channelName: string) {
    super(`A channel named "${channelName}" already exists.`);
    this.name = "ChannelExistsError";
  }
}

export class ChannelNotFoundError extends Error {
  constructor() {
    super("No such channel.");
    this.name = "ChannelNotFoundError";
  }
}

/** Models a channel would serve without a price: the gateway cannot bill them, so they are refused. */
export class UnpricedModelsError extends Error {
  constructor(readonly models: string[]) {
    super(`No price for ${models.join(", ")}. Add ${models.length > 1 ? "their prices" : "its price"} on the Prices page first.`);
    this.name = "UnpricedModelsError";
  }
}

export const channelListQuerySchema = listQuerySchema(["name"], { sort: "name", dir: "asc" }).extend({ q: textFilterSchema });
export type ChannelListQuery = z.infer<typeof channelListQuerySchema>;
const nameCursor = z.tuple([z.string().max(200)]);

const SELECT = {
  id: true,
  name: true,
  provider: true,
  baseUrl: true,
  apiKeyCiphertext: true,
  models: true,
  modelMap: true,
  priority: true,
  weight: true,
  enabled: true,
  updatedAt: true,
} as const;

type ChannelRow = { apiKeyCiphertext: string; modelMap: unknown } & Omit<ChannelSummary, "keyHint" | "modelMap">;

function decryptKey(row: { apiKeyCiphertext: string }, keys: SecretKeys): string | null {
  try {
    return decryptSecret(row.apiKeyCiphertext, keys.channelKey, CHANNEL_KEY_AAD);
  } catch {
    return null;
  }
}

/** The last four characters of a key long enough that they give nothing away. */
function keyHintOf(key: string | null): string {
  if (key === null) return "cannot be read (was GATEHOUSE_SECRET changed?): enter it again";
  return key.length >= 12 ? `…${key.slice(-4)}` : "set (too short to show any of it)";
}

function summary({ apiKeyCiphertext, ...row }: ChannelRow, keys: SecretKeys): ChannelSummary {
  return { ...row, modelMap: (row.modelMap ?? {}) as Record<string, string>, keyHint: keyHintOf(decryptKey({ apiKeyCiphertext }, keys)) };
}

/** One page of channels, by name; `q` matches the name, the base URL or a model. */
export async function listChannels(db: Prisma, input: { query: ChannelListQuery; keys: SecretKeys; take?: number }): Promise<Page<ChannelSummary>> {
  const take = input.take ?? 50;
  const { dir, cursor, q } = input.query;
  const position = decodeCursor(cursor, nameCursor);
  const rows = await db.upstreamChannel.findMany({
    where: {
      AND: [
        q ? { OR: [{ name: { contains: q, mode: "insensitive" } }, { baseUrl: { contains: q, mode: "insensitive" } }, { models: { has: q } }] } : {},
        position ? { name: beyond(dir, position[0]) } : {},
      ],
    },
    orderBy: [{ name: dir }],
    take: take + 1,
    select: SELECT,
  });
  const page = toPage(rows, take, (c) => encodeCursor([c.name]));
  return { rows: page.rows.map((row) => summary(row, input.keys)), nextCursor: page.nextCursor };
}

export async function getChannel(db: Prisma, id: string, keys: SecretKeys): Promise<ChannelSummary | null> {
  const row = await db.upstreamChannel.findUnique({ where: { id }, select: SELECT });
  return row ? summary(row, keys) : null;
}

async function assertPriced(db: Pick<Prisma, "modelPrice">, models: string[]): Promise<void> {
  const priced = new Set((await db.modelPrice.findMany({ where: { model: { in: models } }, select: { model: true } })).map((p) => p.model));
  const unpriced = models.filter((m) => !priced.has(m));
  if (unpriced.length > 0) throw new UnpricedModelsError(unpriced);
}

function auditDetails(name: string, c: z.output<typeof channelChangeSchema>, keyReplaced: boolean) {
  return {
    name,
    provider: c.provider,
    baseUrl: c.baseUrl,
    models: c.models,
    modelMap: c.modelMap,
    priority: c.priority,
    weight: c.weight,
    enabled: c.enabled,
    keyReplaced,
  };
}

/** Adds a channel. The key is required and stored encrypted. */
export async function createChannel(db: Prisma, input: { name: string; change: ChannelChange; keys: SecretKeys; actor: Actor }): Promise<ChannelSummary> {
  const name = channelInputSchema.shape.name.parse(input.name);
  const c = channelChangeSchema.parse(input.change);
  if (!c.apiKey) throw new Error("createChannel needs the upstream key");
  const apiKey = c.apiKey;
  const row = await db.$transaction(async (tx) => {
    if (await tx.upstreamChannel.findUnique({ where: { name }, select: { id: true } })) throw new ChannelExistsError(name);
    await assertPriced(tx, c.models);
    const created = await tx.upstreamChannel.create({
      data: {
        name,
        provider: c.provider,
        baseUrl: c.baseUrl,
        apiKeyCiphertext: encryptSecret(apiKey, input.keys.channelKey, CHANNEL_KEY_AAD),
        models: c.models,
        modelMap: c.modelMap,
        priority: c.priority,
        weight: c.weight,
        enabled: c.enabled,
      },
      select: SELECT,
    });
    await recordAudit(tx, {
      actor: input.actor,
      action: "channel.created",
      targetType: "upstream_channel",
      targetId: created.id,
      details: auditDetails(name, c, true),
    });
    return created;
  });
  invalidateCatalog();
  return summary(row, input.keys);
}

/** Changes a channel; its key is replaced only when a new one is given. */
export async function updateChannel(db: Prisma, input: { id: string; change: ChannelChange; keys: SecretKeys; actor: Actor }): Promise<ChannelSummary> {
  const c = channelChangeSchema.parse(input.change);
  const row = await db.$transaction(async (tx) => {
    const before = await tx.upstreamChannel.findUnique({ where: { id: input.id }, select: { id: true, name: true } });
    if (!before) throw new ChannelNotFoundError();
    await assertPriced(tx, c.models);
    const updated = await tx.upstreamChannel.update({
      where: { id: input.id },
      data: {
        provider: c.provider,
        baseUrl: c.baseUrl,
        ...(c.apiKey ? { apiKeyCiphertext: encryptSecret(c.apiKey, input.keys.channelKey, CHANNEL_KEY_AAD) } : {}),
        models: c.models,
        modelMap: c.modelMap,
        priority: c.priority,
        weight: c.weight,
        enabled: c.enabled,
      },
      select: SELECT,
    });
    await recordAudit(tx, {
      actor: input.actor,
      action: "channel.updated",
      targetType: "upstream_channel",
      targetId: updated.id,
      details: auditDetails(before.name, c, Boolean(c.apiKey)),
    });
    return updated;
  });
  invalidateCatalog();
  return summary(row, input.keys);
}

/** Enables or disables a channel (a disabled channel gets no traffic); audited when it changes. */
export async function setChannelEnabled(db: Prisma, input: { id: string; enabled: boolean; actor: Actor }): Promise<{ name: string; changed: boolean }> {
  const result = await db.$transaction(async (tx) => {
    const before = await tx.upstreamChannel.findUnique({ where: { id: input.id }, select: { id: true, name: true, enabled: true } });
    if (!before) throw new ChannelNotFoundError();
    if (before.enabled === input.enabled) return { name: before.name, changed: false };
    await tx.upstreamChannel.update({ where: { id: before.id }, data: { enabled: input.enabled } });
    await recordAudit(tx, {
      actor: input.actor,
      action: input.enabled ? "channel.enabled" : "channel.disabled",
      targetType: "upstream_channel",
      targetId: before.id,
      details: { name: before.name },
    });
    return { name: before.name, changed: true };
  });
  if (result.changed) invalidateCatalog();
  return result;
}

export interface ChannelTestResult extends ProbeResult {
  channelName: string;
  model: string;
}

/**
 * Sends a one-token request for `model` (default: the channel's first) to the channel, enabled
 * or not, and reports status, latency and the upstream's error. Audited with the outcome.
 */
export async function testChannel(
  db: Prisma,
  input: { id: string; model?: string; keys: SecretKeys; actor: Actor; timeoutMs?: number },
): Promise<ChannelTestResult> {
  const row = await db.upstreamChannel.findUnique({ where: { id: input.id }, select: SELECT });
  if (!row) throw new ChannelNotFoundError();
  const model = input.model && row.models.includes(input.model) ? input.model : row.models[0];
  const apiKey = decryptKey(row, input.keys);
  let result: ProbeResult;
  if (!model) {
    result = { ok: false, status: null, latencyMs: 0, upstreamModel: "", error: "The channel serves no model." };
  } else if (apiKey === null) {
    result = {
      ok: false,
      status: null,
      latencyMs: 0,
      upstreamModel: model,
      error: "The stored key cannot be decrypted (was GATEHOUSE_SECRET changed?): enter the key again.",
    };
  } else {
    const channel: CatalogChannel = {
      id: row.id,
      name: row.name,
      protocol: PROVIDER_PROTOCOL[row.provider],
      baseUrl: row.baseUrl,
      apiKey,
      priority: row.priority,
      weight: row.weight,
      modelMap: (row.modelMap ?? {}) as Record<string, string>,
    };
    result = await probeChannel(channel, model, { timeoutMs: input.timeoutMs });
  }
  await recordAudit(db, {
    actor: input.actor,
    action: "channel.tested",
    targetType: "upstream_channel",
    targetId: row.id,
    details: { name: row.name, model: model ?? null, ok: result.ok, status: result.status, latencyMs: result.latencyMs },
  });
  return { ...result, channelName: row.name, model: model ?? "" };
}
