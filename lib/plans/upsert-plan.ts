import "server-only";
import { recordAudit, type Actor } from "@/lib/audit";
import type { Prisma } from "@/lib/db";
import { usdToMicros } from "@/lib/billing/money";
import { multiplierToBps, planInputSchema, type PlanInput } from "./plan-schema";

export class UnknownModelsError extends Error {
  constructor(readonly models: string[]) {
    super(
      `Unknown model${models.length > 1 ? "s" : ""}: ${models.join(", ")}. Add a price for each model first: ` +
        models.map((m) => `npm run gatehouse -- price set --model ${m} --input USD_PER_MTOK --output USD_PER_MTOK`).join("; ") +
        " (price list shows the priced ones).",
    );
    this.name = "UnknownModelsError";
  }
}

/** The stored columns of a plan (all but its name) from checked input. Models must have a price. */
export async function planRow(db: Pick<Prisma, "modelPrice">, plan: ReturnType<typeof planInputSchema.parse>) {
  const models = [...new Set(plan.models)];
  const priced = await db.modelPrice.findMany({ where: { model: { in: models } }, select: { model: true } });
  const known = new Set(priced.map((p) => p.model));
  const unknown = models.filter((m) => !known.has(m));
  if (unknown.length > 0) throw new UnknownModelsError(unknown);
  return {
    description: plan.description ?? null,
    models,
    durationDays: plan.durationDays,
    rpm: plan.rpm,
    tpm: plan.tpm ?? null,
    creditMicros: usdToMicros(plan.creditUsd ?? 0),
    multiplierBps: multiplierToBps(plan.multiplier),
    maxKeysPerOrder: plan.maxKeysPerOrder,
    selfRotate: plan.selfRotate,
    modelAliases: plan.aliases,
  };
}

/** Creates a plan, or updates the one with the same name (the CLI's `plan add`; audited). Models must have a price. */
export async function upsertPlan(db: Prisma, input: PlanInput, actor: Actor = { label: "cli" }) {
  const plan = planInputSchema.parse(input);
  const data = await planRow(db, plan);
  return db.$transaction(async (tx) => {
    const existed = await tx.plan.findUnique({ where: { name: plan.name }, select: { id: true } });
    const saved = await tx.plan.upsert({ where: { name: plan.name }, create: { name: plan.name, ...data }, update: data });
    await recordAudit(tx, {
      actor,
      action: existed ? "plan.updated" : "plan.created",
      targetType: "plan",
      targetId: saved.id,
      details: { name: plan.name, ...JSON.parse(JSON.stringify(data, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) },
    });
    return saved;
  });
}
