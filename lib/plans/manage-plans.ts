import "server-only";
import { z } from "zod";
import { recordAudit, type Actor } from "@/lib/audit";
import { microsToUsdNumber } from "@/lib/billing/money";
import type { Prisma } from "@/lib/db";
import { clearKeyCache } from "@/lib/gateway/key-cache";
import { aliasMap } from "@/lib/gateway/load-key";
import { beyond, decodeCursor, encodeCursor, listQuerySchema, textFilterSchema, toPage, type Page } from "@/lib/pagination";
import { planInputSchema } from "./plan-schema";
import { planRow, UnknownModelsError } from "./upsert-plan";

// The console's plans: list, create, edit. Every change is audited and reaches the gateway at
// once: keys are cached with their plan, so the key cache is cleared here and on every instance.
// What was already charged is not touched: request logs and ledger entries store their cost.

export interface PlanSummary {
  id: string;
  name: string;
  description: string | null;
  models: string[];
  /** `{ alias: model }`, see planInputSchema. */
  modelAliases: Record<string, string>;
  durationDays: number;
  rpm: number;
  tpm: number | null;
  multiplierBps: number;
  creditMicros: bigint;
  maxKeysPerOrder: number;
  selfRotate: boolean;
  active: boolean;
  orders: number;
  updatedAt: Date;
}

/** What the console's plan form sends, once parsed: money in micro-dollars, the multiplier as typed. */
export interface PlanChange {
  description?: string;
  models: string[];
  /** `{ alias: model }`; omitted: none. */
  aliases?: Record<string, string>;
  durationDays: number;
  rpm: number;
  tpm?: number;
  creditMicros: bigint;
  multiplier: number;
  maxKeysPerOrder: number;
  selfRotate: boolean;
  active: boolean;
}

export class PlanExistsError extends Error {
  constructor(readonly planName: string) {
    super(`A plan named "${planName}" already exists.`);
    this.name = "PlanExistsError";
  }
}

export class PlanNotFoundError extends Error {
  constructor() {
    super("No such plan.");
    this.name = "PlanNotFoundError";
  }
}

export const planListQuerySchema = listQuerySchema(["name"], { sort: "name", dir: "asc" }).extend({ q: textFilterSchema });
export type PlanListQuery = z.infer<typeof planListQuerySchema>;
const nameCursor = z.tuple([z.string().max(200)]);

const SUMMARY_SELECT = {
  id: true,
  name: true,
  description: true,
  models: true,
  modelAliases: true,
  durationDays: true,
  rpm: true,
  tpm: true,
  multiplierBps: true,
  creditMicros: true,
  maxKeysPerOrder: true,
  selfRotate: true,
  active: true,
  updatedAt: true,
  _count: { select: { orders: true } },
} as const;

function summary({
  _count,
  modelAliases,
  ...plan
}: { _count: { orders: number }; modelAliases: unknown } & Omit<PlanSummary, "orders" | "modelAliases">): PlanSummary {
  return { ...plan, modelAliases: aliasesOf(modelAliases, plan.models), orders: _count.orders };
}

/**
 * A plan's stored aliases (a JSON column) as `{ alias: model }`: the gateway's own reading
 * (`aliasMap`), so what the console, the CLI and the setup guide show is what the gateway serves
 * (an alias whose model left the plan is not shown).
 */
export function aliasesOf(json: unknown, models: string[]): Record<string, string> {
  return Object.fromEntries(aliasMap(json, models));
}

/** One page of plans, by name; `q` matches the name. */
export async function listPlans(db: Prisma, input: { query: PlanListQuery; take?: number }): Promise<Page<PlanSummary>> {
  const take = input.take ?? 50;
  const { dir, cursor, q } = input.query;
  const position = decodeCursor(cursor, nameCursor);
  const rows = await db.plan.findMany({
    where: { AND: [q ? { name: { contains: q, mode: "insensitive" } } : {}, position ? { name: beyond(dir, position[0]) } : {}] },
    orderBy: [{ name: dir }],
    take: take + 1,
    select: SUMMARY_SELECT,
  });
  const page = toPage(rows, take, (p) => encodeCursor([p.name]));
  return { rows: page.rows.map(summary), nextCursor: page.nextCursor };
}

export async function getPlan(db: Prisma, id: string): Promise<PlanSummary | null> {
  const plan = await db.plan.findUnique({ where: { id }, select: SUMMARY_SELECT });
  return plan ? summary(plan) : null;
}

/** The plan's stored row from a change, checked by the same schema as the CLI's `plan add`. */
async function rowOf(db: Pick<Prisma, "modelPrice">, name: string, change: PlanChange) {
  const input = planInputSchema.parse({
    name,
    description: change.description,
    models: change.models,
    aliases: change.aliases ?? {},
    durationDays: change.durationDays,
    rpm: change.rpm,
    tpm: change.tpm,
    creditUsd: microsToUsdNumber(change.creditMicros) ?? 0,
    multiplier: change.multiplier,
    maxKeysPerOrder: change.maxKeysPerOrder,
    selfRotate: change.selfRotate,
  });
  return { ...(await planRow(db, input)), creditMicros: change.creditMicros, active: change.active };
}

type PlanRow = Awaited<ReturnType<typeof rowOf>>;

/** Fields that differ between two rows, as `{ field: { from, to } }` for the audit log (bigints as strings). */
type AuditValue = string | number | boolean | string[] | null;

function differences(before: Record<string, unknown>, after: PlanRow): Record<string, { from: AuditValue; to: AuditValue }> {
  const json = (v: unknown) => (typeof v === "bigint" ? v.toString() : ((v ?? null) as AuditValue));
  const changed: Record<string, { from: AuditValue; to: AuditValue }> = {};
  for (const [field, to] of Object.entries(after)) {
    const from = before[field];
    if (JSON.stringify(json(from)) !== JSON.stringify(json(to))) changed[field] = { from: json(from), to: json(to) };
  }
  return changed;
}

/** Creates a plan; a name in use is refused (editing is a separate act). */
export async function createPlan(db: Prisma, input: { name: string; change: PlanChange; actor: Actor }): Promise<PlanSummary> {
  const name = planInputSchema.shape.name.parse(input.name);
  const row = await rowOf(db, name, input.change);
  const plan = await db.$transaction(async (tx) => {
    if (await tx.plan.findUnique({ where: { name }, select: { id: true } })) throw new PlanExistsError(name);
    const created = await tx.plan.create({ data: { name, ...row }, select: SUMMARY_SELECT });
    await recordAudit(tx, {
      actor: input.actor,
      action: "plan.created",
      targetType: "plan",
      targetId: created.id,
      details: { name, ...JSON.parse(JSON.stringify(row, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) },
    });
    return created;
  });
  return summary(plan);
}

/**
 * Changes a plan (its name stays: the marketplace names plans in its orders). Applies to every
 * order on it from the next request: models, limits and multiplier at once; duration and credit
 * when an order is created or activated.
 */
export async function updatePlan(db: Prisma, input: { id: string; change: PlanChange; actor: Actor }): Promise<{ plan: PlanSummary; changed: string[] }> {
  const result = await db.$transaction(async (tx) => {
    const before = await tx.plan.findUnique({ where: { id: input.id } });
    if (!before) throw new PlanNotFoundError();
    const row = await rowOf(tx, before.name, input.change);
    const changed = differences(before, row);
    const plan = await tx.plan.update({ where: { id: input.id }, data: row, select: SUMMARY_SELECT });
    if (Object.keys(changed).length > 0) {
      await recordAudit(tx, { actor: input.actor, action: "plan.updated", targetType: "plan", targetId: plan.id, details: { name: plan.name, changed } });
    }
    return { plan: summary(plan), changed: Object.keys(changed) };
  });
  // Keys are cached with their plan's models, limits and multiplier: drop them here and elsewhere.
  if (result.changed.length > 0) clearKeyCache();
  return result;
}

export { UnknownModelsError };
