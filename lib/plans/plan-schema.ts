import { z } from "zod";
import { safeText } from "@/lib/text/safe-text";

const usd = z.number().nonnegative().max(1_000_000);

/** Input for creating or replacing a plan (the CLI and the admin console share it). */
export const planInputSchema = z.object({
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
});

export type PlanInput = z.input<typeof planInputSchema>;

/** A multiplier such as 1.25 to basis points (12500). */
export function multiplierToBps(multiplier: number): number {
  return Math.round(multiplier * 10_000);
}
