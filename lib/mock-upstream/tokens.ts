/**
 * The mock upstream's token arithmetic. Real tokenizers are irrelevant here: what matters is that
 * tests can predict every number the mock reports, and that the numbers in `usage` match what was
 * actually sent.
 *
 * - One token is one whitespace-separated word (`mockTokenCount`).
 * - A request's input tokens: every message (a system prompt and each tool definition count as one
 *   message too) contributes the words of its text plus `MESSAGE_OVERHEAD_TOKENS`
 *   (`mockPromptTokens`). The same number is returned by count_tokens / countTokens.
 * - A text reply has exactly as many words as the requested output budget, streamed one word per
 *   chunk, so output tokens = words = content chunks.
 * - A tool call's arguments JSON is streamed in pieces of `TOOL_ARGUMENT_PIECE_CHARS` characters and
 *   counts one output token per piece.
 */

export const DEFAULT_OUTPUT_TOKENS = 16;
export const MAX_OUTPUT_TOKENS = 4096;
export const MESSAGE_OVERHEAD_TOKENS = 3;
export const TOOL_ARGUMENT_PIECE_CHARS = 8;

/** Number of whitespace-separated words in `text`. */
export function mockTokenCount(text: string): number {
  const word = /\S+/g;
  let count = 0;
  while (word.exec(text) !== null) count++;
  return count;
}

/** Input tokens of a request whose messages (system prompt and tool definitions included) have these texts. */
export function mockPromptTokens(messageTexts: readonly string[]): number {
  let total = 0;
  for (const text of messageTexts) total += mockTokenCount(text) + MESSAGE_OVERHEAD_TOKENS;
  return total;
}

/**
 * The number of output tokens a reply will have: the request's limit when it gives one, the default
 * otherwise, always within 1..MAX_OUTPUT_TOKENS.
 */
export function mockOutputBudget(requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested)) return DEFAULT_OUTPUT_TOKENS;
  return Math.min(MAX_OUTPUT_TOKENS, Math.max(1, Math.floor(requested)));
}

/** Output tokens of a tool call whose arguments serialise to `argumentsJson`. */
export function mockToolCallTokens(argumentsJson: string): number {
  return splitToolArguments(argumentsJson).length;
}

/** The pieces a tool call's arguments JSON is streamed in (split on code points, never inside a surrogate pair). */
export function splitToolArguments(argumentsJson: string): string[] {
  const chars = Array.from(argumentsJson);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += TOOL_ARGUMENT_PIECE_CHARS) {
    pieces.push(chars.slice(i, i + TOOL_ARGUMENT_PIECE_CHARS).join(""));
  }
  return pieces.length > 0 ? pieces : [""];
}
