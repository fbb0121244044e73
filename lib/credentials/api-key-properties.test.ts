import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { API_KEY_LENGTH, API_KEY_PREFIX } from "./api-key-format";
import { diagnoseApiKey } from "./diagnose-api-key";
import { generateApiKey } from "./generate-api-key";
import { maskApiKey } from "./mask-api-key";

// Property tests of the key parser: whatever a client sends as a credential, the diagnosis is one
// of the Errors table's codes, never an exception, and a key we issued is only ever accepted whole.

const RUNS = { numRuns: 200 };
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const PROBLEM_CODES = [
  "missing_api_key",
  "api_key_whitespace",
  "api_key_invisible_characters",
  "api_key_masked_preview",
  "api_key_other_provider",
  "invalid_api_key",
];

const issuedKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => generateApiKey(bytes));
/** A position in the key's body and checksum (after the prefix). */
const position = fc.integer({ min: API_KEY_PREFIX.length, max: API_KEY_LENGTH - 1 });
const WHITESPACE = [" ", "\t", "\n", "\r", "\u00a0", "\u2003", "\u3000", "\u2028"];
const INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\u0000", "\u0007", "\u007f", "\ufe0f"];

describe("API key parser (properties)", () => {
  it("accepts every key it can issue, exactly as issued", () => {
    fc.assert(
      fc.property(issuedKey, (key) => {
        expect(key).toHaveLength(API_KEY_LENGTH);
        expect(key).toMatch(/^sk-gate-[0-9A-Za-z]{49}$/);
        expect(diagnoseApiKey(key)).toEqual({ ok: true, key });
      }),
      RUNS,
    );
  });

  it("refuses any one character changed (the CRC-32 checksum catches every single substitution)", () => {
    fc.assert(
      fc.property(issuedKey, position, fc.integer({ min: 1, max: 61 }), (key, at, shift) => {
        const replaced = BASE62[(BASE62.indexOf(key[at]!) + shift) % 62]!;
        const typo = key.slice(0, at) + replaced + key.slice(at + 1);
        expect(diagnoseApiKey(typo)).toMatchObject({ ok: false, code: "invalid_api_key" });
      }),
      RUNS,
    );
  });

  it("refuses two neighbouring characters swapped", () => {
    fc.assert(
      fc.property(issuedKey, fc.integer({ min: API_KEY_PREFIX.length, max: API_KEY_LENGTH - 2 }), (key, at) => {
        fc.pre(key[at] !== key[at + 1]);
        const swapped = key.slice(0, at) + key[at + 1] + key[at] + key.slice(at + 2);
        expect(diagnoseApiKey(swapped)).toMatchObject({ ok: false, code: "invalid_api_key" });
      }),
      RUNS,
    );
  });

  it("refuses a key cut short, pasted twice or with anything appended, as invalid_api_key", () => {
    fc.assert(
      fc.property(issuedKey, fc.integer({ min: 1, max: API_KEY_LENGTH - 1 }), fc.stringMatching(/^[0-9A-Za-z]{1,20}$/), (key, cut, extra) => {
        expect(diagnoseApiKey(key.slice(0, cut))).toMatchObject({ ok: false });
        expect(diagnoseApiKey(key + key)).toMatchObject({ ok: false, code: "invalid_api_key" });
        expect(diagnoseApiKey(key + extra)).toMatchObject({ ok: false, code: "invalid_api_key" });
      }),
      RUNS,
    );
  });

  it("names white space and invisible characters wherever they are put", () => {
    fc.assert(
      fc.property(
        issuedKey,
        fc.integer({ min: 0, max: API_KEY_LENGTH }),
        fc.constantFrom(...WHITESPACE),
        fc.constantFrom(...INVISIBLE),
        (key, at, space, invisible) => {
          expect(diagnoseApiKey(key.slice(0, at) + space + key.slice(at))).toEqual({ ok: false, code: "api_key_whitespace" });
          expect(diagnoseApiKey(key.slice(0, at) + invisible + key.slice(at))).toEqual({ ok: false, code: "api_key_invisible_characters" });
        },
      ),
      RUNS,
    );
  });

  it("knows its own mask for a pasted preview", () => {
    fc.assert(
      fc.property(issuedKey, (key) => {
        expect(diagnoseApiKey(maskApiKey(key))).toEqual({ ok: false, code: "api_key_masked_preview" });
      }),
      RUNS,
    );
  });

  it("never throws on any string and accepts only a well-formed key; a refusal never carries the text sent", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 120 }),
      fc.string({ unit: "grapheme", maxLength: 80 }),
      fc.string({ maxLength: 70 }).map((s) => API_KEY_PREFIX + s),
      fc.stringMatching(/^sk-gate-[0-9A-Za-z]{40,60}$/),
    );
    fc.assert(
      fc.property(anyText, (text) => {
        const diagnosis = diagnoseApiKey(text);
        if (diagnosis.ok) {
          expect(text).toMatch(/^sk-gate-[0-9A-Za-z]{49}$/);
          expect(diagnosis.key).toBe(text);
        } else {
          expect(PROBLEM_CODES).toContain(diagnosis.code);
          if (text.length >= 8) expect(JSON.stringify(diagnosis)).not.toContain(text);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("handles an overlong credential (a megabyte) without trouble", () => {
    const start = performance.now();
    expect(diagnoseApiKey(`${API_KEY_PREFIX}${"A".repeat(1024 * 1024)}`)).toMatchObject({ ok: false, code: "invalid_api_key" });
    expect(diagnoseApiKey(`Bearer ${"x".repeat(1024 * 1024)}`)).toMatchObject({ ok: false });
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});
