/**
 * A fake OpenAI / Anthropic / Gemini upstream speaking each provider's wire format, for the demo,
 * the gateway's integration tests and the benchmark. See README.md for endpoints, token rules and knobs.
 */
export { startMockUpstream, MAX_RECORDED, type MockUpstream, type MockUpstreamOptions, type RecordedRequest, type RequestOutcome } from "./server";
export { KNOB_HEADERS, type Fault } from "./faults";
export {
  DEFAULT_OUTPUT_TOKENS,
  MAX_OUTPUT_TOKENS,
  MESSAGE_OVERHEAD_TOKENS,
  TOOL_ARGUMENT_PIECE_CHARS,
  mockOutputBudget,
  mockPromptTokens,
  mockTokenCount,
  mockToolCallTokens,
  splitToolArguments,
} from "./tokens";
export { MOCK_COMMAND_TRIGGER, mockJsonForSchema, mockReplyText, mockToolArguments } from "./reply";
export { DEFAULT_MODELS } from "./models";
export { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from "./embeddings";
export type { ModelCatalog } from "./types";
