import { z } from "zod";
import { safeText } from "@/lib/text/safe-text";

export const providerSchema = z.enum(["OPENAI", "ANTHROPIC", "GEMINI"]);

/** Input for adding or updating an upstream channel (CLI and admin console). */
export const channelInputSchema = z.object({
  name: safeText({ trim: true }).min(1).max(80),
  provider: providerSchema,
  baseUrl: z.url({ protocol: /^https?$/, error: "an http(s) URL" }).transform((u) => u.replace(/\/+$/, "")),
  apiKey: z.string().trim().min(1, "the upstream API key is required"),
  models: z.array(safeText({ trim: true }).min(1).max(200)).min(1, "at least one model is required"),
  modelMap: z.record(safeText().max(200), safeText().max(200)).default({}),
  priority: z.number().int().min(-1000).max(1000).default(0),
  weight: z.number().int().min(1).max(1000).default(1),
  enabled: z.boolean().default(true),
});

export type ChannelInput = z.input<typeof channelInputSchema>;

/** Where each provider's API lives when no base URL is given. */
export const DEFAULT_BASE_URLS = {
  OPENAI: "https://api.openai.com/v1",
  ANTHROPIC: "https://api.anthropic.com",
  GEMINI: "https://generativelanguage.googleapis.com",
} as const;
