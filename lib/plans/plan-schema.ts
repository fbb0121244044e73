import { z } from "zod";
import { safeText } from "@/lib/text/safe-text";

const usd = z.number().nonnegative().max(1_000_000);

/** A name clients may send for a model (a plan's alias), as strict as a model id. */
const aliasName = safeText({ trim: true })
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/, { error: "Use letters, digits and . _ : @ / - only in an alias, as in claude-opus-5-5." });

/** Input for creating or replacing a plan (the CLI and the admin console share it). */
export const planInputSchema = z
  .object({
    name: safeText({ trim: true }).min(1, "a name is required").max(80),
    description: safeText({ multiline: true, trim: true }).max(500).optional(),
    models: z.array(safeText({ trim: true }).min(1).max(200)).min(1, "at least one model is required"),
    durationDays: z.number().int().min(1).max(3660),
    rpm: z.number().int().min(1).max(1_000_000),
    tpm: z.number().int().min(1).max(1_000_000_000).optional(),
    creditUsd: usd.optional(),
    multiplier: z.number().positive().max(100).default(1),
    maxKeysPerOrder: z.number().int().min(1).max(100).default(1),
    selfRotate: z.boolean().default(false),
    /**
     * Operator-set aliases, `{ alias: model }`: a client may send the alias and is served (and
     * billed) as the model, which must be one of the plan's; shown in /v1/models, /v1/key and the
     * setup guide, and logged beside the model, so an alias is never silent.
     */
    aliases: z.record(aliasName, safeText({ trim: true }).min(1).max(200)).default({}),
  })
  .superRefine((plan, ctx) => {
    const models = new Set(plan.models);
    for (const [alias, target] of Object.entries(plan.aliases)) {
      if (models.has(alias))
        ctx.addIssue({ code: "custom", path: ["aliases", alias], message: `${alias} is one of the plan's models; an alias needs a name of its own.` });
      else if (!models.has(target))
        ctx.addIssue({
          code: "custom",
          path: ["aliases", alias],
          message: `${alias} points at ${target}, which is not one of the plan's models (${plan.models.join(", ")}).`,
        });
    }
    if (Object.keys(plan.aliases).length > 50) ctx.addIssue({ code: "custom", path: ["aliases"], message: "A plan may have at most 50 aliases." });
  });

export type PlanInput = z.input<typeof planInputSchema>;

/** A multiplier such as 1.25 to basis points (12500). */
export function multiplierToBps(multiplier: number): number {
  return Math.round(multiplier * 10_000);
}
