"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { buyerAction, type ActionState } from "@/lib/actions";
import { formList, formOptionalUsd, formText } from "@/lib/actions/form-fields";
import { requireApiKeyAccess } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { allowlistProblems, KeySettingsError, MAX_KEY_NAME_LENGTH, MAX_SPEND_LIMIT_USD, SPEND_LIMIT_PERIODS, updateOwnKeySettings } from "@/lib/keys";

export type KeySettingsState = ActionState<{ status: "saved"; message: string }>;

// The form as it posts: a name, the ticked models (none: all of the plan's), a spend limit in
// dollars (empty: none) with its UTC period, and one IP address or CIDR range per line.
const keySettingsSchema = z.object({
  keyId: z.string().min(1).max(100),
  name: formText("Give the key a name", MAX_KEY_NAME_LENGTH),
  models: formList("Model ids are at most 200 characters."),
  spendLimitUsd: formOptionalUsd("Enter an amount in dollars, such as 5 or 12.50", MAX_SPEND_LIMIT_USD).refine(
    (micros) => micros === undefined || micros > 0n,
    {
      error: "Enter an amount above $0, or leave it empty for no limit.",
    },
  ),
  spendLimitPeriod: z.enum(SPEND_LIMIT_PERIODS, { error: "Choose a day, a week or a month." }),
  ipAllowlist: formList("Each entry is at most 100 characters.", 100).superRefine((entries, ctx) => {
    const problems = allowlistProblems(entries);
    if (problems.length) ctx.addIssue({ code: "custom", message: problems.join(" ") });
  }),
});

// Key settings page > Save. The buyer's own live key only: requireApiKeyAccess answers 404 for
// anyone else's, and the write itself is scoped by the account (lib/keys).
export const updateKeySettingsAction = buyerAction(
  keySettingsSchema,
  async ({ user, customerId, clientIp, input }): Promise<KeySettingsState> => {
    const db = getDb();
    const key = await requireApiKeyAccess(db, user, input.keyId);
    try {
      const result = await updateOwnKeySettings(db, {
        keyId: key.id,
        customerId,
        name: input.name,
        modelScope: input.models,
        spendLimitMicros: input.spendLimitUsd ?? null,
        spendLimitPeriod: input.spendLimitPeriod,
        ipAllowlist: input.ipAllowlist,
        actor: { userId: user.id, ip: clientIp },
      });
      revalidatePath(`/orders/${key.orderId}`);
      revalidatePath(`/orders/${key.orderId}/keys/${key.id}`);
      return {
        status: "saved",
        message: result.changed.length ? "Saved. The gateway applies these settings from the next request." : "Nothing changed.",
      };
    } catch (error) {
      if (!(error instanceof KeySettingsError)) throw error;
      return { status: "error", message: error.message, ...(error.field ? { fieldErrors: { [error.field]: [error.message] } } : {}) };
    }
  },
  { invalidMessage: "Some settings are not valid. Correct the marked fields and save again." },
);
