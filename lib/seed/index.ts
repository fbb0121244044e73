import "server-only";
import type { Secrets } from "@/lib/config";
import { deriveSecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { planInputSchema, upsertPlan } from "@/lib/plans";
import { seedDemoData } from "./demo-data";
import { usdPerMToMicros } from "@/lib/billing/money";
import { PRICE_TABLE_DATE, PRICE_TABLE_SOURCE, SEED_PRICES } from "./model-prices";
import { SEED_PLANS } from "./plans";

export { DEMO_ORDER_IDS, DEMO_USERS } from "./demo-data";
export { PRICE_TABLE_DATE, SEED_PRICES } from "./model-prices";

const SEEDED = "seed.completedAt";

export interface SeedResult {
  pricesCreated: number;
  plansCreated: number;
  demo: boolean;
}

/**
 * Model prices, plans and (optionally) demo data. Safe to run again: it only creates what is
 * missing, so prices and plans edited by an admin are left as they are.
 */
export async function seed(db: Prisma, secrets: Pick<Secrets, "gatehouseSecret">, options: { demo: boolean; now?: Date }): Promise<SeedResult> {
  const existingPrices = new Set((await db.modelPrice.findMany({ select: { model: true } })).map((p) => p.model));
  let pricesCreated = 0;
  for (const p of SEED_PRICES) {
    if (existingPrices.has(p.model)) continue;
    await db.modelPrice.create({
      data: {
        model: p.model,
        provider: p.provider,
        displayName: p.displayName,
        inputMicrosPerM: usdPerMToMicros(p.input),
        outputMicrosPerM: usdPerMToMicros(p.output),
        cacheReadMicrosPerM: p.cacheRead === undefined ? null : usdPerMToMicros(p.cacheRead),
        cacheWriteMicrosPerM: p.cacheWrite === undefined ? null : usdPerMToMicros(p.cacheWrite),
        contextWindow: p.contextWindow ?? null,
        source: p.note ? `${PRICE_TABLE_SOURCE}; ${p.note}` : PRICE_TABLE_SOURCE,
        effectiveDate: new Date(`${PRICE_TABLE_DATE}T00:00:00Z`),
      },
    });
    pricesCreated += 1;
  }
  const existingPlans = new Set((await db.plan.findMany({ select: { name: true } })).map((p) => p.name));
  let plansCreated = 0;
  for (const plan of SEED_PLANS) {
    if (existingPlans.has(planInputSchema.parse(plan).name)) continue;
    await upsertPlan(db, plan);
    plansCreated += 1;
  }
  const demo = options.demo ? await seedDemoData(db, deriveSecretKeys(secrets.gatehouseSecret), options.now) : false;
  await db.setting.upsert({ where: { key: SEEDED }, create: { key: SEEDED, value: new Date().toISOString() }, update: {} });
  return { pricesCreated, plansCreated, demo };
}

/** Seeds a database that has never been seeded (npm start); leaves any other alone. */
export async function seedIfEmpty(db: Prisma, secrets: Pick<Secrets, "gatehouseSecret">, demo = process.env.SEED_DEMO_DATA !== "false") {
  if (await db.setting.findUnique({ where: { key: SEEDED } })) return { seeded: false as const };
  return { seeded: true as const, result: await seed(db, secrets, { demo }) };
}
