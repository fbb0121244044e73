import "server-only";
import { z } from "zod";
import { recordAudit, type Actor } from "@/lib/audit";
import type { Provider } from "@/lib/db/types";
import type { Prisma } from "@/lib/db";
import { invalidateCatalog } from "@/lib/gateway/catalog";
import { beyond, decodeCursor, encodeCursor, listQuerySchema, textFilterSchema, toPage, type Page } from "@/lib/pagination";
import { safeText } from "@/lib/text/safe-text";

// Model prices, per million tokens, in integer micro-dollars (the columns' unit). The gateway
// prices every request from its cached catalog, which is reloaded here and on every instance
// after a change, so a new price applies to the next request. A request already metered keeps
// the cost it was charged: request logs and ledger entries store it and are never recomputed.

/** Highest price per million tokens the columns hold (32-bit micro-dollars): $2,000. */
export const MAX_PRICE_MICROS_PER_M = 2_000_000_000n;

export interface PriceSummary {
  id: string;
  model: string;
  provider: Provider;
  displayName: string | null;
  inputMicrosPerM: number;
  outputMicrosPerM: number;
  cacheReadMicrosPerM: number | null;
  cacheWriteMicrosPerM: number | null;
  contextWindow: number | null;
  source: string | null;
  effectiveDate: Date | null;
  updatedAt: Date;
}

const micros = z.bigint().min(0n).max(MAX_PRICE_MICROS_PER_M);

/** A price as the console sends it (amounts already in micro-dollars per million tokens). */
export const priceChangeSchema = z.object({
  provider: z.enum(["OPENAI", "ANTHROPIC", "GEMINI"]),
  displayName: safeText({ trim: true }).max(120).optional(),
  inputMicrosPerM: micros,
  outputMicrosPerM: micros,
  cacheReadMicrosPerM: micros.optional(),
  cacheWriteMicrosPerM: micros.optional(),
  contextWindow: z.number().int().min(1).max(100_000_000).optional(),
  source: safeText({ trim: true }).max(300).optional(),
});
export type PriceChange = z.input<typeof priceChangeSchema>;

/** A model id as the gateway matches it: what clients send in `model`. */
export const modelIdSchema = safeText({ trim: true })
  .min(1, { error: "Enter the model id clients send, e.g. gpt-4.1-mini." })
  .max(200, { error: "Use at most 200 characters." })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/, { error: "Use letters, digits and . _ : @ / - only, as in gpt-4.1-mini." });

export class PriceExistsError extends Error {
  constructor(readonly model: string) {
    super(`${model} already has a price.`);
    this.name = "PriceExistsError";
  }
}

export class PriceNotFoundError extends Error {
  constructor() {
    super("No such price.");
    this.name = "PriceNotFoundError";
  }
}

export const priceListQuerySchema = listQuerySchema(["model"], { sort: "model", dir: "asc" }).extend({ q: textFilterSchema });
export type PriceListQuery = z.infer<typeof priceListQuerySchema>;
const modelCursor = z.tuple([z.string().max(200)]);

const SELECT = {
  id: true,
  model: true,
  provider: true,
  displayName: true,
  inputMicrosPerM: true,
  outputMicrosPerM: true,
  cacheReadMicrosPerM: true,
  cacheWriteMicrosPerM: true,
  contextWindow: true,
  source: true,
  effectiveDate: true,
  updatedAt: true,
} as const;

/** One page of prices, by model id; `q` matches the id or the display name. */
export async function listPrices(db: Prisma, input: { query: PriceListQuery; take?: number }): Promise<Page<PriceSummary>> {
  const take = input.take ?? 100;
  const { dir, cursor, q } = input.query;
  const position = decodeCursor(cursor, modelCursor);
  const rows = await db.modelPrice.findMany({
    where: {
      AND: [
        q ? { OR: [{ model: { contains: q, mode: "insensitive" } }, { displayName: { contains: q, mode: "insensitive" } }] } : {},
        position ? { model: beyond(dir, position[0]) } : {},
      ],
    },
    orderBy: [{ model: dir }],
    take: take + 1,
    select: SELECT,
  });
  return toPage(rows, take, (p) => encodeCursor([p.model]));
}

export async function getPrice(db: Prisma, id: string): Promise<PriceSummary | null> {
  return db.modelPrice.findUnique({ where: { id }, select: SELECT });
}

/** Every priced model, for the plan and channel forms. */
export async function listPricedModels(db: Prisma): Promise<{ model: string; provider: Provider; displayName: string | null }[]> {
  return db.modelPrice.findMany({ select: { model: true, provider: true, displayName: true }, orderBy: [{ provider: "asc" }, { model: "asc" }] });
}

function columns(change: PriceChange, now: Date) {
  const c = priceChangeSchema.parse(change);
  return {
    provider: c.provider,
    displayName: c.displayName || null,
    inputMicrosPerM: Number(c.inputMicrosPerM),
    outputMicrosPerM: Number(c.outputMicrosPerM),
    cacheReadMicrosPerM: c.cacheReadMicrosPerM === undefined ? null : Number(c.cacheReadMicrosPerM),
    cacheWriteMicrosPerM: c.cacheWriteMicrosPerM === undefined ? null : Number(c.cacheWriteMicrosPerM),
    contextWindow: c.contextWindow ?? null,
    source: c.source || "entered in the console",
    effectiveDate: now,
  };
}

/** Adds a price for a model that has none. */
export async function createPrice(db: Prisma, input: { model: string; change: PriceChange; actor: Actor; now?: Date }): Promise<PriceSummary> {
  const model = modelIdSchema.parse(input.model);
  const data = columns(input.change, input.now ?? new Date());
  const price = await db.$transaction(async (tx) => {
    if (await tx.modelPrice.findUnique({ where: { model }, select: { id: true } })) throw new PriceExistsError(model);
    const created = await tx.modelPrice.create({ data: { model, ...data }, select: SELECT });
    await recordAudit(tx, {
      actor: input.actor,
      action: "price.created",
      targetType: "model_price",
      targetId: created.id,
      details: { model, ...auditFigures(data) },
    });
    return created;
  });
  invalidateCatalog();
  return price;
}

/** Changes a model's price (the model id stays: plans, channels and logs name it). */
export async function updatePrice(db: Prisma, input: { id: string; change: PriceChange; actor: Actor; now?: Date }): Promise<PriceSummary> {
  const data = columns(input.change, input.now ?? new Date());
  const price = await db.$transaction(async (tx) => {
    const before = await tx.modelPrice.findUnique({ where: { id: input.id }, select: SELECT });
    if (!before) throw new PriceNotFoundError();
    const updated = await tx.modelPrice.update({ where: { id: input.id }, data, select: SELECT });
    await recordAudit(tx, {
      actor: input.actor,
      action: "price.updated",
      targetType: "model_price",
      targetId: updated.id,
      details: { model: updated.model, from: auditFigures(before), to: auditFigures(data) },
    });
    return updated;
  });
  invalidateCatalog();
  return price;
}

function auditFigures(p: Pick<PriceSummary, "provider" | "inputMicrosPerM" | "outputMicrosPerM" | "cacheReadMicrosPerM" | "cacheWriteMicrosPerM">) {
  return {
    provider: p.provider,
    inputMicrosPerM: p.inputMicrosPerM,
    outputMicrosPerM: p.outputMicrosPerM,
    cacheReadMicrosPerM: p.cacheReadMicrosPerM,
    cacheWriteMicrosPerM: p.cacheWriteMicrosPerM,
  };
}

/** The provider a model id belongs to, from its family's prefix; undefined when the name does not say. */
export function providerFromModelId(model: string): Provider | undefined {
  if (/^claude-/i.test(model)) return "ANTHROPIC";
  if (/^(gemini-|gemma-|text-embedding-0|embedding-0)/i.test(model)) return "GEMINI";
  if (/^(gpt-|o\d|chatgpt-|text-embedding-3|text-embedding-ada|codex-)/i.test(model)) return "OPENAI";
  return undefined;
}

export class PriceProviderNeededError extends Error {
  constructor(readonly model: string) {
    super(`Cannot tell which provider serves ${model}: give --provider openai|anthropic|gemini.`);
    this.name = "PriceProviderNeededError";
  }
}

/**
 * Sets a model's price: adds it when the model has none, otherwise changes it — the console's
 * add and edit (createPrice, updatePrice), so both write the same audit entries, which are the
 * price's history (`priceHistory`). Omitted cache prices and provider keep their current values
 * on a change; a new model's provider comes from its name when not given.
 */
export async function setPrice(
  db: Prisma,
  input: {
    model: string;
    provider?: Provider;
    inputMicrosPerM: bigint;
    outputMicrosPerM: bigint;
    cacheReadMicrosPerM?: bigint;
    cacheWriteMicrosPerM?: bigint;
    displayName?: string;
    source?: string;
    actor: Actor;
    now?: Date;
  },
): Promise<{ price: PriceSummary; created: boolean }> {
  const model = modelIdSchema.parse(input.model);
  const existing = await db.modelPrice.findUnique({ where: { model }, select: SELECT });
  const keep = (value: number | null | undefined) => (value === null || value === undefined ? undefined : BigInt(value));
  const provider = input.provider ?? existing?.provider ?? providerFromModelId(model);
  if (!provider) throw new PriceProviderNeededError(model);
  const change: PriceChange = {
    provider,
    displayName: input.displayName ?? existing?.displayName ?? undefined,
    inputMicrosPerM: input.inputMicrosPerM,
    outputMicrosPerM: input.outputMicrosPerM,
    cacheReadMicrosPerM: input.cacheReadMicrosPerM ?? keep(existing?.cacheReadMicrosPerM),
    cacheWriteMicrosPerM: input.cacheWriteMicrosPerM ?? keep(existing?.cacheWriteMicrosPerM),
    contextWindow: existing?.contextWindow ?? undefined,
    source: input.source,
  };
  if (existing) return { price: await updatePrice(db, { id: existing.id, change, actor: input.actor, now: input.now }), created: false };
  return { price: await createPrice(db, { model, change, actor: input.actor, now: input.now }), created: true };
}

export interface PriceHistoryEntry {
  at: Date;
  action: "price.created" | "price.updated";
  actor: string;
  inputMicrosPerM: number | null;
  outputMicrosPerM: number | null;
  cacheReadMicrosPerM: number | null;
  cacheWriteMicrosPerM: number | null;
}

/** A model's prices over time, oldest first: the audit entries its adds and changes wrote. */
export async function priceHistory(db: Prisma, model: string): Promise<PriceHistoryEntry[]> {
  const price = await db.modelPrice.findUnique({ where: { model: modelIdSchema.parse(model) }, select: { id: true } });
  if (!price) throw new PriceNotFoundError();
  const rows = await db.auditLog.findMany({
    where: { targetType: "model_price", targetId: price.id, action: { in: ["price.created", "price.updated"] } },
    orderBy: { id: "asc" },
    select: { createdAt: true, action: true, actorLabel: true, actor: { select: { email: true } }, details: true },
  });
  return rows.map((row) => {
    const details = (row.details ?? {}) as Record<string, unknown>;
    const figures = (row.action === "price.updated" ? details.to : details) as Record<string, unknown> | undefined;
    const num = (v: unknown) => (typeof v === "number" ? v : null);
    return {
      at: row.createdAt,
      action: row.action as PriceHistoryEntry["action"],
      actor: row.actor?.email ?? row.actorLabel,
      inputMicrosPerM: num(figures?.inputMicrosPerM),
      outputMicrosPerM: num(figures?.outputMicrosPerM),
      cacheReadMicrosPerM: num(figures?.cacheReadMicrosPerM),
      cacheWriteMicrosPerM: num(figures?.cacheWriteMicrosPerM),
    };
  });
}
