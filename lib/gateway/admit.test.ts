import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mockPromptTokens } from "@/lib/mock-upstream/tokens";
import { maxInputTokens, measurePrompt, MEDIA_PART_TOKENS, TOOL_PROMPT_TOKENS } from "./admit";

const bytes = (body: unknown) => Buffer.byteLength(JSON.stringify(body));

describe("the reservation's prompt bound", () => {
  it("is at least one token per byte of text plus the framing of every message", () => {
    const body = { model: "gpt-4.1-nano", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
    const m = measurePrompt(body);
    expect(m).toEqual({ estimate: 2, mediaChars: 0, mediaParts: 0, hasTools: false });
    // The rough estimate (2) is below the 4 tokens the mock counts; the bound is not.
    expect(maxInputTokens(bytes(body), m)).toBe(84 + 16);
    expect(maxInputTokens(bytes(body), m)).toBeGreaterThanOrEqual(mockPromptTokens(["hi"]));
  });

  it("counts inline media by a quarter of its data plus a part's allowance, and tools by their prompt", () => {
    const data = "A".repeat(40_000);
    const body = {
      model: "claude-haiku-4-5",
      max_tokens: 10,
      tools: [{ name: "f", input_schema: { type: "object" } }],
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data } },
            { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
          ],
        },
      ],
    };
    const m = measurePrompt(body);
    expect(m).toMatchObject({ mediaChars: 40_000, mediaParts: 2, hasTools: true });
    expect(maxInputTokens(bytes(body), m)).toBe(bytes(body) - 40_000 + 10_000 + 2 * MEDIA_PART_TOKENS + TOOL_PROMPT_TOKENS + 16);
    const openai = {
      model: "gpt-4.1-mini",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${data}` } }] }],
    };
    expect(measurePrompt(openai)).toMatchObject({ mediaChars: 40_022, mediaParts: 1 });
    const gemini = { contents: [{ parts: [{ inlineData: { mimeType: "image/png", data } }, { fileData: { fileUri: "gs://b/x.pdf" } }] }] };
    expect(measurePrompt(gemini)).toMatchObject({ mediaChars: 40_000, mediaParts: 2 });
  });

  it("counts a data field that is not base64 (a plain-text document, a tool result) as text", () => {
    const text = "The quarterly report says revenue grew. ".repeat(50);
    const body = {
      model: "claude-haiku-4-5",
      max_tokens: 10,
      messages: [{ role: "user", content: [{ type: "document", source: { type: "text", media_type: "text/plain", data: text } }] }],
    };
    const m = measurePrompt(body);
    expect(m).toMatchObject({ mediaChars: 0, mediaParts: 0 });
    expect(maxInputTokens(bytes(body), m)).toBeGreaterThanOrEqual(text.length);
  });

  it("property: never below the tokens the mock upstream counts, in any protocol's framing", () => {
    const text = fc.string({ unit: "binary", maxLength: 400 });
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 12 }), fc.option(text, { nil: undefined }), (messages, system) => {
        const texts = system === undefined ? messages : [system, ...messages];
        const counted = mockPromptTokens(texts);
        const bodies = [
          { model: "m", messages: texts.map((content) => ({ role: "user", content })) },
          { model: "m", max_tokens: 5, ...(system === undefined ? {} : { system }), messages: messages.map((content) => ({ role: "user", content })) },
          {
            contents: messages.map((text) => ({ role: "user", parts: [{ text }] })),
            ...(system === undefined ? {} : { systemInstruction: { parts: [{ text: system }] } }),
          },
        ];
        for (const body of bodies) expect(maxInputTokens(bytes(body), measurePrompt(body))).toBeGreaterThanOrEqual(counted);
      }),
      { numRuns: 300 },
    );
  });
});
