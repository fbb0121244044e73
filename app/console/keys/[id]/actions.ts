"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { staffAction, type ActionState } from "@/lib/actions";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import {
  deleteApiKey,
  KeyLimitsError,
  KeyRotationError,
  KeyStatusError,
  rotateApiKey,
  SELF_ROTATION_OVERLAPS,
  selfRotationOverlapSchema,
  setKeyEnabled,
  setKeyLimits,
  SPEND_LIMIT_PERIODS,
} from "@/lib/keys";
import { safeText } from "@/lib/text/safe-text";

// Console > Keys > one key: rotate, disable / enable, delete, limits. Support and admins
// (staffAction checks the role before the input is read, whatever the page showed); every act is
// audited with the acting user and the client IP by the lib function, in the act's transaction.

export type KeyActionState = ActionState<{ status: "success"; message: string }>;

const keyId = z.string().trim().min(1).max(100);
const reason = safeText({ trim: true }).max(500, { error: "Keep the reason under 500 characters." });
const requiredReason = reason.min(1, { error: "Give a reason; it is kept in the audit log." });

const rotateSchema = z.object({ keyId, overlap: selfRotationOverlapSchema.default("none"), reason: reason.optional() });
const statusSchema = z.object({ keyId, enabled: z.enum(["true", "false"]).transform((v) => v === "true"), reason: reason.optional() });
const deleteSchema = z.object({
  keyId,
  confirm: z.string({ error: "Type the key's last four characters." }).trim().min(1, { error: "Type the key's last four characters." }).max(20),
  reason: requiredReason,
});

/** A form's optional number: "" or absent → null (the plan's value, or no limit). */
const optionalNumber = (schema: z.ZodNumber) =>
  z.preprocess((v) => (typeof v === "string" ? (v.trim() === "" ? null : Number(v.trim())) : v), schema.nullable());

const lines = z.preprocess(
  (v) =>
    (Array.isArray(v) ? v : [v ?? ""])
      .flatMap((s) => String(s).split(/[\s,]+/))
      .map((s) => s.trim())
      .filter(Boolean),
  z.array(z.string().max(100)).max(100, { error: "At most 100 entries." }),
);

const limitsSchema = z.object({
  keyId,
  models: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().trim().min(1).max(200)).max(100)),
  spendLimitUsd: optionalNumber(
    z.number({ error: "Enter an amount in dollars, or leave it empty." }).positive({ error: "Enter an amount above $0, or leave it empty." }).max(1_000_000),
  ),
  spendLimitPeriod: z.enum(SPEND_LIMIT_PERIODS, { error: "Choose a day, a week or a month." }).default("MONTH"),
  ipAllowlist: lines,
  rpm: optionalNumber(z.number({ error: "Enter a whole number, or leave it empty." }).int().min(1).max(1_000_000)).optional(),
  tpm: optionalNumber(z.number({ error: "Enter a whole number, or leave it empty." }).int().min(1).max(1_000_000_000)).optional(),
  reason: reason.optional(),
});

const knownError = (error: unknown) =>
  error instanceof KeyRotationError || error instanceof KeyStatusError || error instanceof KeyLimitsError ? error.message : undefined;

function refresh(id: string) {
  revalidatePath(`/console/keys/${id}`);
  revalidatePath("/console/keys");
}

export const rotateKeyAction = staffAction(
  "SUPPORT",
  rotateSchema,
  async ({ user, clientIp, input }): Promise<KeyActionState> => {
    const rotated = await rotateApiKey(getDb(), {
      keyId: input.keyId,
      overlapMs: SELF_ROTATION_OVERLAPS[input.overlap],
      // The buyer reveals the new key once in the portal; the console never sees it.
      delivery: "reveal",
      actor: { userId: user.id, ip: clientIp },
      reason: input.reason,
      keys: getSecretKeys(),
    });
    refresh(input.keyId);
    const until =
      input.overlap === "none" ? "is refused from now on" : `keeps working until ${rotated.validUntil.toISOString().replace("T", " ").slice(0, 16)} UTC`;
    return { status: "success", message: `Rotated. The old key ${until}; the buyer reveals the new key (…${rotated.lastFour}) on their order page.` };
  },
  { invalidMessage: "Choose how long the old key keeps working: none, 1 hour or 24 hours.", describeError: knownError },
);

export const setKeyEnabledAction = staffAction(
  "SUPPORT",
  statusSchema,
  async ({ user, clientIp, input }): Promise<KeyActionState> => {
    await setKeyEnabled(getDb(), { keyId: input.keyId, enabled: input.enabled, reason: input.reason, actor: { userId: user.id, ip: clientIp } });
    refresh(input.keyId);
    return { status: "success", message: input.enabled ? "Enabled. The key works again." : "Disabled. The gateway refuses the key from now on." };
  },
  { describeError: knownError },
);

export const deleteKeyAction = staffAction(
  "SUPPORT",
  deleteSchema,
  async ({ user, clientIp, input }): Promise<KeyActionState> => {
    await deleteApiKey(getDb(), { keyId: input.keyId, confirmLastFour: input.confirm, reason: input.reason, actor: { userId: user.id, ip: clientIp } });
    refresh(input.keyId);
    return { status: "success", message: "Deleted. The gateway refuses the key; its request history stays." };
  },
  { invalidMessage: "Type the key's last four characters and give a reason.", describeError: knownError },
);

export const setKeyLimitsAction = staffAction(
  "SUPPORT",
  limitsSchema,
  async ({ user, clientIp, input }): Promise<KeyActionState> => {
    // Rate overrides go beyond what the plan sold: admins only. Support's form has no such fields;
    // a crafted post that carries them is refused whole.
    const rates = input.rpm !== undefined || input.tpm !== undefined;
    if (rates && user.role !== "ADMIN") return { status: "error", message: "Only an admin can change rate overrides." };
    await setKeyLimits(getDb(), {
      keyId: input.keyId,
      modelScope: input.models,
      spendLimitUsd: input.spendLimitUsd,
      spendLimitPeriod: input.spendLimitPeriod,
      ipAllowlist: input.ipAllowlist,
      ...(rates ? { rpm: input.rpm ?? null, tpm: input.tpm ?? null } : {}),
      reason: input.reason,
      actor: { userId: user.id, ip: clientIp },
    });
    refresh(input.keyId);
    return { status: "success", message: "Limits saved. The gateway applies them to the next request." };
  },
  { describeError: knownError },
);
