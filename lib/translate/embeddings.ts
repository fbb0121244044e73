// Embeddings across protocols: OpenAI's `POST /v1/embeddings` ⇄ Gemini's `:embedContent` and
// `:batchEmbedContents`. Text in, one vector per input out; nothing else carries over, so every
// field that would change the vectors and has no counterpart is refused (400 naming it), and the
// vectors come back exactly as the upstream made them. Anthropic makes no embeddings.
// Pure functions, like the chat adapters.

import { TranslationError } from "./canonical";
import { asArray, asNumber, asObject, asString, isObject, join, refuseUnknown, UNTRANSLATABLE, type Json } from "./util";

/** The client's embedding call: OpenAI's one endpoint, or Gemini's single and batch methods. */
export type EmbeddingCall = "openai" | "gemini_single" | "gemini_batch";

/** What every protocol can express: texts, and optionally the vectors' length. */
interface CanonicalEmbeddingRequest {
  texts: string[];
  dimensions?: number;
}

const OPENAI_FIELDS = ["model", "input", "dimensions", "encoding_format", "user"] as const;

function parseOpenai(body: unknown): CanonicalEmbeddingRequest {
  const b = asObject(body, "");
  refuseUnknown(b, OPENAI_FIELDS, "");
  const input = b.input;
  let texts: string[];
  if (typeof input === "string") texts = [input];
  else {
    const list = asArray(input, "input");
    if (list.length === 0) throw new TranslationError("input", "must not be empty");
    texts = list.map((item, i) => {
      if (typeof item !== "string") throw new TranslationError(join("input", i), "must be text: token arrays cannot be sent to another provider's model");
      return item;
    });
  }
  if (b.encoding_format !== undefined && b.encoding_format !== "float" && b.encoding_format !== "base64") {
    throw new TranslationError("encoding_format", 'must be "float" or "base64"');
  }
  const dimensions = b.dimensions === undefined ? undefined : asNumber(b.dimensions, "dimensions");
  return { texts, dimensions };
}

const GEMINI_REQUEST_FIELDS = ["model", "content", "outputDimensionality", "output_dimensionality"] as const;

/** One Gemini EmbedContentRequest: a content of one text part. */
function parseGeminiRequest(r: Json, path: string): { text: string; dimensions?: number } {
  refuseUnknown(r, GEMINI_REQUEST_FIELDS, path);
  const content = asObject(r.content, join(path, "content"));
  refuseUnknown(content, ["parts", "role"], join(path, "content"));
  const parts = asArray(content.parts, join(path, "content.parts"));
  if (parts.length !== 1) throw new TranslationError(join(path, "content.parts"), "must hold exactly one text part to be sent to another provider's model");
  const part = asObject(parts[0], join(path, "content.parts[0]"));
  refuseUnknown(part, ["text"], join(path, "content.parts[0]"));
  const text = asString(part.text, join(path, "content.parts[0].text"));
  const dims = r.outputDimensionality ?? r.output_dimensionality;
  return { text, dimensions: dims === undefined ? undefined : asNumber(dims, join(path, "outputDimensionality")) };
}

function parseGemini(body: unknown, call: "gemini_single" | "gemini_batch"): CanonicalEmbeddingRequest {
  const b = asObject(body, "");
  if (call === "gemini_single") {
    const { text, dimensions } = parseGeminiRequest(b, "");
    return { texts: [text], dimensions };
  }
  refuseUnknown(b, ["requests"], "");
  const requests = asArray(b.requests, "requests");
  if (requests.length === 0) throw new TranslationError("requests", "must not be empty");
  const parsed = requests.map((r, i) => parseGeminiRequest(asObject(r, join("requests", i)), join("requests", i)));
  const dimensions = parsed[0]?.dimensions;
  parsed.forEach((p, i) => {
    if (p.dimensions !== dimensions)
      throw new TranslationError(join(join("requests", i), "outputDimensionality"), `must be the same for every request: ${UNTRANSLATABLE}`);
  });
  return { texts: parsed.map((p) => p.text), dimensions };
}

/** The client's body for an upstream of the other protocol (OpenAI embeddings, or Gemini batchEmbedContents). */
export function translateEmbeddingRequest(call: EmbeddingCall, body: unknown, upstreamModel: string): Json {
  if (call === "openai") {
    const { texts, dimensions } = parseOpenai(body);
    const name = `models/${upstreamModel}`;
    return {
      requests: texts.map((text) => ({
        model: name,
        content: { parts: [{ text }] },
        ...(dimensions === undefined ? {} : { outputDimensionality: dimensions }),
      })),
    };
  }
  const { texts, dimensions } = parseGemini(body, call);
  return { model: upstreamModel, input: texts, encoding_format: "float", ...(dimensions === undefined ? {} : { dimensions }) };
}

function vectors(list: unknown[], path: string, read: (item: Json, i: number) => unknown): number[][] {
  return list.map((item, i) => asArray(read(asObject(item, join(path, i)), i), join(path, i)).map((v, j) => asNumber(v, `${join(path, i)}[${j}]`)));
}

/** Floats as OpenAI's `encoding_format: "base64"` sends them: little-endian float32, base64. */
export function float32Base64(values: readonly number[]): string {
  const buffer = new ArrayBuffer(values.length * 4);
  const view = new DataView(buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return Buffer.from(buffer).toString("base64");
}

/**
 * The upstream's answer for the client: OpenAI's list (with the usage the gateway counted, as
 * floats or base64 as the client asked), or Gemini's `embedding` / `embeddings`.
 */
export function translateEmbeddingResponse(call: EmbeddingCall, upstream: unknown, ctx: { model: string; clientBody: unknown; inputTokens: number }): Json {
  const body = asObject(upstream, "response");
  if (call === "openai") {
    // From Gemini's batchEmbedContents.
    const list = vectors(asArray(body.embeddings, "embeddings"), "embeddings", (e) => e.values);
    const base64 = isObject(ctx.clientBody) && ctx.clientBody.encoding_format === "base64";
    return {
      object: "list",
      data: list.map((values, index) => ({ object: "embedding", index, embedding: base64 ? float32Base64(values) : values })),
      model: ctx.model,
      usage: { prompt_tokens: ctx.inputTokens, total_tokens: ctx.inputTokens },
    };
  }
  // From OpenAI's embeddings, asked for as floats; `index` gives the order.
  const data = asArray(body.data, "data").map((d, i) => asObject(d, join("data", i)));
  const ordered = [...data].sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0));
  const list = vectors(ordered, "data", (d) => d.embedding);
  return call === "gemini_single" ? { embedding: { values: list[0] ?? [] } } : { embeddings: list.map((values) => ({ values })) };
}
