"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { staffAction, type ActionState } from "@/lib/actions";
import { formOptionalInt, formOptionalText, formOptionalUsd, formUsd } from "@/lib/actions/form-fields";
import { getDb } from "@/lib/db";
import { createPrice, modelIdSchema, PriceExistsError, PriceNotFoundError, updatePrice, type PriceChange } from "@/lib/prices";

export type PriceFormState = ActionState<{ status: "success"; message: string }>;

const MAX_USD_PER_M = 2000;
const amount = (what: string) => formUsd(`Enter the ${what} price in dollars per million tokens, such as 0.40 or 15`, MAX_USD_PER_M);
const optionalAmount = (what: string) =>
  formOptionalUsd(`Enter the ${what} price in dollars per million tokens, or leave it empty when the model has none`, MAX_USD_PER_M);

// Prices are typed in dollars per million tokens and stored as micro-dollars (lib/billing/money).
const priceFields = {
  provider: z.enum(["OPENAI", "ANTHROPIC", "GEMINI"], { error: "Choose OpenAI, Anthropic or Gemini." }),
  displayName: formOptionalText(120),
  input: amount("input"),
  output: amount("output"),
  cacheRead: optionalAmount("cache read"),
  cacheWrite: optionalAmount("cache write"),
  contextWindow: formOptionalInt("Enter the context window in tokens, or leave it empty", 1, 100_000_000),
  source: formOptionalText(300),
};

type PriceFields = z.output<z.ZodObject<typeof priceFields>>;

function change(input: PriceFields): PriceChange {
  return {
    provider: input.provider,
    displayName: input.displayName,
    inputMicrosPerM: input.input,
    outputMicrosPerM: input.output,
    cacheReadMicrosPerM: input.cacheRead,
    cacheWriteMicrosPerM: input.cacheWrite,
    contextWindow: input.contextWindow,
    source: input.source,
  };
}

function describePriceError(error: unknown): string | undefined {
  if (error instanceof PriceExistsError) return `${error.model} already has a price. Open it from the list to change it.`;
  if (error instanceof PriceNotFoundError) return "This price no longer exists.";
  return undefined;
}

const INVALID = "Some fields need a change before the price can be saved.";

/** Console > Prices > Add a price. Admins only; audited; the gateway uses it from the next request. */
export const createPriceAction = staffAction(
  "ADMIN",
  z.object({ model: z.preprocess((v) => (typeof v === "string" ? v : ""), modelIdSchema), ...priceFields }),
  async ({ user, clientIp, input }): Promise<PriceFormState> => {
    const price = await createPrice(getDb(), { model: input.model, change: change(input), actor: { userId: user.id, ip: clientIp } });
    revalidatePath("/console/prices");
    redirect(`/console/prices/${price.id}?saved=created`);
  },
  { invalidMessage: INVALID, describeError: describePriceError },
);

/** Console > Prices > a model: save a new price. Admins only; audited; charged from the next request. */
export const updatePriceAction = staffAction(
  "ADMIN",
  z.object({ id: z.string().min(1).max(100), ...priceFields }),
  async ({ user, clientIp, input }): Promise<PriceFormState> => {
    const price = await updatePrice(getDb(), { id: input.id, change: change(input), actor: { userId: user.id, ip: clientIp } });
    revalidatePath("/console/prices");
    revalidatePath(`/console/prices/${price.id}`);
    return { status: "success", message: `Saved the price of ${price.model}. New requests are charged at it now.` };
  },
  { invalidMessage: INVALID, describeError: describePriceError },
);
