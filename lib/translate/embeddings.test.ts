import { describe, expect, it } from "vitest";
import { TranslationError } from "./canonical";
import { float32Base64, translateEmbeddingRequest, translateEmbeddingResponse } from "./embeddings";

describe("embeddings across protocols", () => {
  it("sends an OpenAI call to Gemini as one batch and brings the vectors back in OpenAI's shape", () => {
    const body = { model: "gemini-embedding-001", input: ["a b", "c"], dimensions: 2, encoding_format: "base64", user: "u1" };
    expect(translateEmbeddingRequest("openai", body, "gemini-embedding-002")).toEqual({
      requests: [
        { model: "models/gemini-embedding-002", content: { parts: [{ text: "a b" }] }, outputDimensionality: 2 },
        { model: "models/gemini-embedding-002", content: { parts: [{ text: "c" }] }, outputDimensionality: 2 },
      ],
    });
    const answer = translateEmbeddingResponse(
      "openai",
      { embeddings: [{ values: [0.5, -0.25] }, { values: [1, 0] }] },
      {
        model: "gemini-embedding-001",
        clientBody: body,
        inputTokens: 3,
      },
    );
    expect(answer).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: float32Base64([0.5, -0.25]) },
        { object: "embedding", index: 1, embedding: float32Base64([1, 0]) },
      ],
      model: "gemini-embedding-001",
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
    const bytes = Buffer.from(float32Base64([0.5, -0.25]), "base64");
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual([0.5, -0.25]);
  });

  it("sends Gemini's methods to OpenAI as one list and answers in Gemini's shape", () => {
    const batch = { requests: [{ model: "models/text-embedding-3-small", content: { parts: [{ text: "x" }] } }, { content: { parts: [{ text: "y" }] } }] };
    expect(translateEmbeddingRequest("gemini_batch", batch, "text-embedding-3-small")).toEqual({
      model: "text-embedding-3-small",
      input: ["x", "y"],
      encoding_format: "float",
    });
    const openai = {
      data: [
        { index: 1, embedding: [2] },
        { index: 0, embedding: [1] },
      ],
    };
    expect(translateEmbeddingResponse("gemini_batch", openai, { model: "m", clientBody: batch, inputTokens: 2 })).toEqual({
      embeddings: [{ values: [1] }, { values: [2] }],
    });
    expect(translateEmbeddingResponse("gemini_single", openai, { model: "m", clientBody: {}, inputTokens: 2 })).toEqual({ embedding: { values: [1] } });
  });

  it("refuses what has no counterpart, naming the field", () => {
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err instanceof TranslationError ? err.field : err;
      }
      return null;
    };
    expect(refusal(() => translateEmbeddingRequest("openai", { model: "m", input: [[1, 2]] }, "m"))).toBe("input[0]");
    expect(refusal(() => translateEmbeddingRequest("gemini_single", { content: { parts: [{ text: "a" }] }, taskType: "RETRIEVAL_QUERY" }, "m"))).toBe(
      "taskType",
    );
    expect(refusal(() => translateEmbeddingRequest("gemini_single", { content: { parts: [{ text: "a" }, { text: "b" }] } }, "m"))).toBe("content.parts");
  });
});
