import type { Provider } from "@/lib/db/types";

// List prices in USD per million tokens, as the providers publish them on their pricing pages
// (OpenAI "API pricing", Anthropic "Pricing", Google "Gemini Developer API pricing"; standard
// tier, prompts up to 200k tokens where the price depends on length). Taken from those pages as
// they stood on the date below. Seeding never overwrites a price that exists, so an admin's edit
// survives a re-seed; check the pages before selling and edit prices in the console.
export const PRICE_TABLE_DATE = "2025-10-01";
export const PRICE_TABLE_SOURCE = "provider list prices (standard tier) as published on their pricing pages";

export interface SeedPrice {
  model: string;
  provider: Provider;
  displayName: string;
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  contextWindow?: number;
  /** When the row is not a published figure, why it has this value. */
  note?: string;
}

export const SEED_PRICES: SeedPrice[] = [
  // OpenAI
  { model: "gpt-5", provider: "OPENAI", displayName: "GPT-5", input: 1.25, output: 10, cacheRead: 0.125, contextWindow: 400_000 },
  { model: "gpt-5-mini", provider: "OPENAI", displayName: "GPT-5 mini", input: 0.25, output: 2, cacheRead: 0.025, contextWindow: 400_000 },
  { model: "gpt-5-nano", provider: "OPENAI", displayName: "GPT-5 nano", input: 0.05, output: 0.4, cacheRead: 0.005, contextWindow: 400_000 },
  { model: "gpt-4.1", provider: "OPENAI", displayName: "GPT-4.1", input: 2, output: 8, cacheRead: 0.5, contextWindow: 1_047_576 },
  { model: "gpt-4.1-mini", provider: "OPENAI", displayName: "GPT-4.1 mini", input: 0.4, output: 1.6, cacheRead: 0.1, contextWindow: 1_047_576 },
  { model: "gpt-4.1-nano", provider: "OPENAI", displayName: "GPT-4.1 nano", input: 0.1, output: 0.4, cacheRead: 0.025, contextWindow: 1_047_576 },
  { model: "gpt-4o", provider: "OPENAI", displayName: "GPT-4o", input: 2.5, output: 10, cacheRead: 1.25, contextWindow: 128_000 },
  { model: "gpt-4o-mini", provider: "OPENAI", displayName: "GPT-4o mini", input: 0.15, output: 0.6, cacheRead: 0.075, contextWindow: 128_000 },
  { model: "o3", provider: "OPENAI", displayName: "o3", input: 2, output: 8, cacheRead: 0.5, contextWindow: 200_000 },
  { model: "o4-mini", provider: "OPENAI", displayName: "o4-mini", input: 1.1, output: 4.4, cacheRead: 0.275, contextWindow: 200_000 },
  // Embeddings: input tokens only.
  { model: "text-embedding-3-small", provider: "OPENAI", displayName: "Text Embedding 3 Small", input: 0.02, output: 0, contextWindow: 8_191 },
  { model: "text-embedding-3-large", provider: "OPENAI", displayName: "Text Embedding 3 Large", input: 0.13, output: 0, contextWindow: 8_191 },
  // Anthropic (cache write = 5-minute cache writes)
  {
    model: "claude-opus-4-1",
    provider: "ANTHROPIC",
    displayName: "Claude Opus 4.1",
    input: 15,
    output: 75,
    cacheRead: 1.5,
    cacheWrite: 18.75,
    contextWindow: 200_000,
  },
  {
    model: "claude-sonnet-4-5",
    provider: "ANTHROPIC",
    displayName: "Claude Sonnet 4.5",
    input: 3,
    output: 15,
    cacheRead: 0.3,
    cacheWrite: 3.75,
    contextWindow: 200_000,
  },
  {
    model: "claude-sonnet-4-6",
    provider: "ANTHROPIC",
    displayName: "Claude Sonnet 4.6",
    input: 3,
    output: 15,
    cacheRead: 0.3,
    cacheWrite: 3.75,
    contextWindow: 200_000,
    note: "newer than the table date: priced as Claude Sonnet 4.5 until checked (Claude Code's default model)",
  },
  {
    model: "claude-sonnet-4-0",
    provider: "ANTHROPIC",
    displayName: "Claude Sonnet 4",
    input: 3,
    output: 15,
    cacheRead: 0.3,
    cacheWrite: 3.75,
    contextWindow: 200_000,
  },
  {
    model: "claude-haiku-4-5",
    provider: "ANTHROPIC",
    displayName: "Claude Haiku 4.5",
    input: 1,
    output: 5,
    cacheRead: 0.1,
    cacheWrite: 1.25,
    contextWindow: 200_000,
  },
  {
    model: "claude-haiku-4-5-20251001",
    provider: "ANTHROPIC",
    displayName: "Claude Haiku 4.5 (dated id)",
    input: 1,
    output: 5,
    cacheRead: 0.1,
    cacheWrite: 1.25,
    contextWindow: 200_000,
    note: "the dated id Claude Code asks for its side tasks",
  },
  {
    model: "claude-3-5-haiku-20241022",
    provider: "ANTHROPIC",
    displayName: "Claude Haiku 3.5",
    input: 0.8,
    output: 4,
    cacheRead: 0.08,
    cacheWrite: 1,
    contextWindow: 200_000,
  },
  // Google Gemini
  { model: "gemini-2.5-pro", provider: "GEMINI", displayName: "Gemini 2.5 Pro", input: 1.25, output: 10, cacheRead: 0.31, contextWindow: 1_048_576 },
  { model: "gemini-2.5-flash", provider: "GEMINI", displayName: "Gemini 2.5 Flash", input: 0.3, output: 2.5, cacheRead: 0.075, contextWindow: 1_048_576 },
  {
    model: "gemini-2.5-flash-lite",
    provider: "GEMINI",
    displayName: "Gemini 2.5 Flash-Lite",
    input: 0.1,
    output: 0.4,
    cacheRead: 0.025,
    contextWindow: 1_048_576,
  },
  { model: "gemini-2.0-flash", provider: "GEMINI", displayName: "Gemini 2.0 Flash", input: 0.1, output: 0.4, cacheRead: 0.025, contextWindow: 1_048_576 },
  { model: "gemini-embedding-001", provider: "GEMINI", displayName: "Gemini Embedding", input: 0.15, output: 0, contextWindow: 2_048 },
];
