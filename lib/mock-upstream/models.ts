/** The model lists each protocol reports, in each provider's list shape. */
import type { ModelCatalog } from "./types";

export const DEFAULT_MODELS: ModelCatalog = {
  openai: ["gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano", "gpt-4.1", "gpt-4.1-mini"],
  anthropic: ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5", "claude-sonnet-4-6", "claude-haiku-4-5"],
  gemini: ["gemini-3.5-flash", "gemini-3.5-flash-lite", "gemini-3.1-pro-preview", "gemini-2.5-flash"],
};

// A fixed creation time keeps the lists byte-for-byte stable between runs.
const CREATED_UNIX = 1_735_689_600; // 2025-01-01T00:00:00Z
const CREATED_ISO = "2025-01-01T00:00:00Z";

export function openaiModel(id: string) {
  return { id, object: "model", created: CREATED_UNIX, owned_by: "mock-upstream" };
}

export function openaiModelList(ids: readonly string[]) {
  return { object: "list", data: ids.map(openaiModel) };
}

export function anthropicModel(id: string) {
  return { type: "model", id, display_name: displayName(id), created_at: CREATED_ISO };
}

/** Anthropic's cursor pagination: `limit` (default 20), `after_id`, `before_id`. */
export function anthropicModelList(ids: readonly string[], query: URLSearchParams) {
  const limit = Math.min(1000, Math.max(1, Number(query.get("limit")) || 20));
  let start = 0;
  let end = ids.length;
  const after = query.get("after_id");
  const before = query.get("before_id");
  if (after !== null) start = ids.indexOf(after) + 1;
  if (before !== null) end = Math.max(0, ids.indexOf(before));
  let page: string[];
  let hasMore: boolean;
  if (before !== null && after === null) {
    page = ids.slice(Math.max(start, end - limit), end);
    hasMore = end - limit > start;
  } else {
    page = ids.slice(start, Math.min(end, start + limit));
    hasMore = start + limit < end;
  }
  return {
    data: page.map(anthropicModel),
    has_more: hasMore,
    first_id: page[0] ?? null,
    last_id: page[page.length - 1] ?? null,
  };
}

export function geminiModel(id: string) {
  return {
    name: `models/${id}`,
    version: "001",
    displayName: displayName(id),
    description: `Mock of ${id}`,
    inputTokenLimit: 1_048_576,
    outputTokenLimit: 65_536,
    supportedGenerationMethods: ["generateContent", "countTokens"],
  };
}

export function geminiModelList(ids: readonly string[]) {
  return { models: ids.map(geminiModel) };
}

function displayName(id: string): string {
  return id
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(" ");
}
