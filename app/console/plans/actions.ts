"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { staffAction, type ActionState } from "@/lib/actions";
import { formCheckbox, formDecimal, formInt, formList, formOptionalInt, formOptionalText, formOptionalUsd, formText } from "@/lib/actions/form-fields";
import { getDb } from "@/lib/db";
import { createPlan, PlanExistsError, PlanNotFoundError, UnknownModelsError, updatePlan, type PlanChange } from "@/lib/plans";

export type PlanFormState = ActionState<{ status: "success"; message: string }>;

// The plan form's fields as FormData sends them; lib/plans checks them again with the CLI's schema.
const planFields = {
  description: formOptionalText(500, true),
  models: formList("Model ids are at most 200 characters.").pipe(z.array(z.string()).min(1, { error: "Choose at least one model." })),
  durationDays: formInt("Enter the access duration in whole days", 1, 3660),
  rpm: formInt("Enter the requests per minute each key may make", 1, 1_000_000),
  tpm: formOptionalInt("Enter the tokens per minute each key may use, or leave it empty for no token limit", 1, 1_000_000_000),
  credit: formOptionalUsd("Enter the credit in dollars, such as 20 or 12.50", 1_000_000),
  multiplier: formDecimal("Enter a price multiplier such as 1 or 1.2", 100),
  maxKeysPerOrder: formInt("Enter how many keys one order may have", 1, 100),
  selfRotate: formCheckbox,
  active: formCheckbox,
  aliases: formList("Each alias is name=model, at most 200 characters.", 401).transform((pairs, ctx) => {
    const aliases: Record<string, string> = {};
    for (const pair of pairs) {
      const [alias, model, ...rest] = pair.split("=").map((s) => s.trim());
      if (!alias || !model || rest.length > 0) {
        ctx.addIssue({ code: "custom", message: `Write each alias as name=model, e.g. claude-opus-5-5=claude-opus-4-1 (got "${pair}").` });
        return z.NEVER;
      }
      aliases[alias] = model;
    }
    return aliases;
  }),
};

type PlanFields = z.output<z.ZodObject<typeof planFields>>;

function change(input: PlanFields): PlanChange {
  return {
    description: input.description,
    models: input.models,
    aliases: input.aliases,
    durationDays: input.durationDays,
    rpm: input.rpm,
    tpm: input.tpm,
    creditMicros: input.credit ?? 0n,
    multiplier: input.multiplier,
    maxKeysPerOrder: input.maxKeysPerOrder,
    selfRotate: input.selfRotate,
    active: input.active,
  };
}

function describePlanError(error: unknown): string | undefined {
  if (error instanceof UnknownModelsError) return `No price for ${error.models.join(", ")}. Add the price on the Prices page first.`;
  if (error instanceof PlanExistsError) return `A plan named "${error.planName}" already exists. Open it from the list to edit it.`;
  if (error instanceof PlanNotFoundError) return "This plan no longer exists.";
  if (error instanceof z.ZodError) return error.issues.map((i) => i.message).join(" ");
  return undefined;
}

const INVALID = "Some fields need a change before the plan can be saved.";

/** Console > Plans > New plan. Admins only; audited; opens the new plan when saved. */
export const createPlanAction = staffAction(
  "ADMIN",
  z.object({ name: formText("Enter the plan's name, as the marketplace sends it in orders.", 80), ...planFields }),
  async ({ user, clientIp, input }): Promise<PlanFormState> => {
    const plan = await createPlan(getDb(), { name: input.name, change: change(input), actor: { userId: user.id, ip: clientIp } });
    revalidatePath("/console/plans");
    redirect(`/console/plans/${plan.id}?saved=created`);
  },
  { invalidMessage: INVALID, describeError: describePlanError },
);

/** Console > Plans > a plan: save changes. Admins only; audited; applies to the next request. */
export const updatePlanAction = staffAction(
  "ADMIN",
  z.object({ id: z.string().min(1).max(100), ...planFields }),
  async ({ user, clientIp, input }): Promise<PlanFormState> => {
    const { plan, changed } = await updatePlan(getDb(), { id: input.id, change: change(input), actor: { userId: user.id, ip: clientIp } });
    revalidatePath("/console/plans");
    revalidatePath(`/console/plans/${plan.id}`);
    return {
      status: "success",
      message: changed.length > 0 ? `Saved "${plan.name}". New requests use it now.` : `Nothing changed in "${plan.name}".`,
    };
  },
  { invalidMessage: INVALID, describeError: describePlanError },
);
