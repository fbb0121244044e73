import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanText, safeText, textProblem, unstorableJsonText } from "./safe-text";

describe("textProblem", () => {
  it("names what is wrong", () => {
    expect(textProblem("gpt-4.1-mini")).toBeNull();
    expect(textProblem("gpt-4.1-mini\u0000")).toBe("contains a NUL character");
    expect(textProblem("a\u0007b")).toBe("contains a control character (U+0007)");
    expect(textProblem("a\u0085b")).toBe("contains a control character (U+0085)");
    expect(textProblem("a\ud800")).toBe("contains an unpaired UTF-16 surrogate");
    expect(textProblem("x".repeat(201), { maxLength: 200 })).toBe("is longer than 200 characters");
    expect(textProblem("line one\nline two\ttab\r\n", { multiline: true })).toBeNull();
    expect(textProblem("line one\nline two")).toBe("contains a control character (U+000A)");
    expect(textProblem("emoji 😀 and ünïcödé")).toBeNull();
  });
});

describe("cleanText", () => {
  it("returns clean text itself", () => {
    const text = "claude-sonnet-4-6";
    expect(cleanText(text)).toBe(text);
  });

  it("replaces what cannot be stored and cuts to the limit", () => {
    expect(cleanText("a\u0000b\ud800c\u0007")).toBe("a\uFFFDb\uFFFDc\uFFFD");
    expect(cleanText("keep\nlines\tand\u0000", { multiline: true })).toBe("keep\nlines\tand\uFFFD");
    expect(cleanText("abcdef", { maxLength: 3 })).toBe("abc");
  });

  it("property: the result always passes textProblem and never grows", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.boolean(), (value, multiline) => {
        const cleaned = cleanText(value, { multiline, maxLength: 150 });
        expect(textProblem(cleaned, { multiline, maxLength: 150 })).toBeNull();
        expect(cleaned.length).toBeLessThanOrEqual(Math.min(value.length, 150));
      }),
    );
  });
});

describe("unstorableJsonText", () => {
  it("finds a NUL or an unpaired surrogate anywhere, keys included", () => {
    expect(unstorableJsonText({ a: [1, "ok", { b: "fine" }] })).toBeNull();
    expect(unstorableJsonText({ a: [1, "ok", { b: "x\u0000" }] })).toEqual({ path: "body.a[2].b", problem: "contains a NUL character" });
    expect(unstorableJsonText({ ["k\ud800"]: 1 })).toEqual({ path: "body key", problem: "contains an unpaired UTF-16 surrogate" });
    // Control characters other than NUL are stored fine in JSON.
    expect(unstorableJsonText({ note: "bell\u0007" })).toBeNull();
  });
});

describe("safeText", () => {
  it("is a zod string that refuses with the reason", () => {
    const schema = safeText({ maxLength: 10 });
    expect(schema.parse("ORDER-1")).toBe("ORDER-1");
    const failed = schema.safeParse("ORDER\u0000");
    expect(failed.success).toBe(false);
    expect(failed.error?.issues[0]?.message).toBe("The text contains a NUL character.");
  });
});

describe("safeText with trim", () => {
  it("trims before checking, so a trailing line break is trimmed, not refused", () => {
    expect(safeText({ trim: true }).parse("  ORDER-1\n")).toBe("ORDER-1");
    expect(safeText().safeParse("ORDER-1\n").success).toBe(false);
    expect(safeText({ trim: true }).safeParse("ORDER\u0000-1").success).toBe(false);
  });
});
