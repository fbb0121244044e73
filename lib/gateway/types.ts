/** The wire protocol a client speaks, and that an upstream channel speaks. */
export type Protocol = "openai" | "anthropic" | "gemini";

export const PROVIDER_PROTOCOL = { OPENAI: "openai", ANTHROPIC: "anthropic", GEMINI: "gemini" } as const satisfies Record<string, Protocol>;

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export const ZERO_TOKENS: TokenCounts = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
