/** The wire protocol a client speaks, and that an upstream channel speaks. */
export type Protocol = "openai" | "anthropic" | "gemini";

export const PROVIDER_PROTOCOL = { OPENAI: "openai", ANTHROPIC: "anthropic", GEMINI: "gemini" } as const satisfies Record<string, Protocol>;
