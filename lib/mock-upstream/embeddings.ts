/**
 * Embeddings on both protocols that make them: OpenAI `POST /v1/embeddings` and Gemini
 * `POST /v1beta/models/{model}:embedContent` / `:batchEmbedContents`.
 *
 * Vectors are deterministic: each is derived from the model and the text alone (a seeded
 * generator, normalised to length 1), so the same text gives the same vector on either protocol.
 * Length: `dimensions` (OpenAI) / `outputDimensionality` (Gemini), else MOCK_EMBEDDING_DIMENSIONS.
 * Usage: one token per word of every input (`mockTokenCount`), reported as OpenAI's `usage` and,
 * for tests of the gateway's metering, as Gemini `usageMetadata` (the real Gemini API reports none).
 * Only models whose name contains "embed" make embeddings, as with the real providers.
 */
import { openaiError } from "./openai";
import { geminiError } from "./gemini";
import { mockTokenCount } from "./tokens";
import type { Reply, RequestContext } from "./types";
import { asArray, asNumber, asRecord, asString, pick, type JsonObject } from "./util";

export const MOCK_EMBEDDING_DIMENSIONS = 16;
const MAX_DIMENSIONS = 4096;

const isEmbeddingModel = (model: string) => /embed/i.test(model);

/** The mock's vector for a text: deterministic, unit length. */
export function mockEmbedding(model: string, text: string, dimensions = MOCK_EMBEDDING_DIMENSIONS): number[] {
  // FNV-1a of model and text seeds a linear congruential generator.
  let state = 0x811c9dc5;
  for (const ch of `${model}\u0000${text}`) {
    state ^= ch.codePointAt(0) ?? 0;
    state = Math.imul(state, 0x01000193) >>> 0;
  }
  const values: number[] = [];
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    const v = state / 0x1_0000_0000 - 0.5;
    values.push(v);
    norm += v * v;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  // Rounded to what a float32 holds, so base64 and JSON answers carry the same numbers.
  return values.map((v) => Math.fround(v * scale));
}

function dimensionsOf(value: unknown): number | "invalid" {
  if (value === undefined) return MOCK_EMBEDDING_DIMENSIONS;
  const n = asNumber(value);
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= MAX_DIMENSIONS ? n : "invalid";
}

function float32Base64(values: readonly number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString("base64");
}

export function openaiEmbeddings(ctx: RequestContext): Reply {
  const body = asRecord(ctx.body);
  if (!body) return openaiError(400, "We could not parse the JSON body of your request.");
  const model = asString(body.model);
  if (!model) return openaiError(400, "you must provide a model parameter", { param: "model" });
  if (!isEmbeddingModel(model)) return openaiError(400, `The model '${model}' does not support embeddings.`, { param: "model", code: "model_not_supported" });
  const input = body.input;
  const items: (string | number[])[] = typeof input === "string" ? [input] : asArray(input).map((x) => (typeof x === "string" ? x : asArray(x).map(Number)));
  if (items.length === 0) return openaiError(400, "'input' must be a non-empty string or array.", { param: "input" });
  const dimensions = dimensionsOf(body.dimensions);
  if (dimensions === "invalid") return openaiError(400, "Invalid 'dimensions'.", { param: "dimensions" });
  const base64 = body.encoding_format === "base64";
  let tokens = 0;
  const data = items.map((item, index) => {
    const text = typeof item === "string" ? item : item.join(" ");
    tokens += typeof item === "string" ? mockTokenCount(item) : item.length;
    const values = mockEmbedding(model, text, dimensions);
    return { object: "embedding", index, embedding: base64 ? float32Base64(values) : values };
  });
  return { type: "json", status: 200, body: { object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } } };
}

/** One Gemini EmbedContentRequest's text (its parts' texts joined) and vector length. */
function geminiRequest(request: JsonObject | undefined): { text: string; dimensions: number | "invalid" } | null {
  const content = asRecord(request?.content);
  if (!content) return null;
  const text = asArray(content.parts)
    .map((p) => asString(asRecord(p)?.text) ?? "")
    .join(" ");
  return { text, dimensions: dimensionsOf(pick(request, "outputDimensionality", "output_dimensionality")) };
}

export function geminiEmbed(ctx: RequestContext, model: string, batch: boolean): Reply {
  const body = asRecord(ctx.body);
  if (!body) return geminiError(400, "Invalid JSON payload received.");
  if (!isEmbeddingModel(model)) return geminiError(400, `models/${model} does not support embedContent.`);
  const requests = batch ? asArray(body.requests).map((r) => asRecord(r)) : [body];
  if (requests.length === 0) return geminiError(400, "* BatchEmbedContentsRequest.requests: requests is not specified\n");
  const vectors: number[][] = [];
  let tokens = 0;
  for (const [i, request] of requests.entries()) {
    if (batch && asString(request?.model) !== `models/${model}`) {
      return geminiError(400, `* BatchEmbedContentsRequest.requests[${i}].model: the model must be models/${model}, as in the URL\n`);
    }
    const parsed = geminiRequest(request);
    if (!parsed) return geminiError(400, "* EmbedContentRequest.content: content is not specified\n");
    if (parsed.dimensions === "invalid") return geminiError(400, "* EmbedContentRequest.output_dimensionality: invalid value\n");
    vectors.push(mockEmbedding(model, parsed.text, parsed.dimensions));
    tokens += mockTokenCount(parsed.text);
  }
  const usageMetadata = { promptTokenCount: tokens, totalTokenCount: tokens };
  const answer = batch ? { embeddings: vectors.map((values) => ({ values })), usageMetadata } : { embedding: { values: vectors[0] }, usageMetadata };
  return { type: "json", status: 200, body: answer };
}
