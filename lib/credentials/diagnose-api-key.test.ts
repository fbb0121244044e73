import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { apiKeyChecksum, formatApiKey } from "./api-key-format";
import { BASE62_ALPHABET } from "./base62";
import { apiKeyProblemError } from "./api-key-problem-error";
import { diagnoseApiKey, type ApiKeyDiagnosis } from "./diagnose-api-key";
import { generateApiKey } from "./generate-api-key";

const KEY = formatApiKey(Uint8Array.from({ length: 32 }, (_, i) => i));
const BODY = KEY.slice(8);

function code(raw: string | null | undefined): string {
  const d = diagnoseApiKey(raw);
  return d.ok ? "ok" : d.code;
}

function reason(raw: string): string | undefined {
  const d = diagnoseApiKey(raw);
  return !d.ok && d.code === "invalid_api_key" ? d.reason : undefined;
}

function alnum(length: number): string {
  let out = "";
  const bytes = randomBytes(length);
  for (const b of bytes) out += BASE62_ALPHABET.charAt(b % 62);
  return out;
}

function withChecksum(body: string): string {
  return `sk-gate-${body}${apiKeyChecksum(body)}`;
}

// Secrets must never come back: not the whole key, not a recognisable piece of it.
function expectNoKeyMaterial(raw: string, diagnosis: ApiKeyDiagnosis): void {
  if (diagnosis.ok) return;
  const rendered = JSON.stringify(diagnosis) + apiKeyProblemError(diagnosis).message;
  const core = raw.replace(/[^0-9A-Za-z]/g, "");
  for (let i = 0; i + 8 <= core.length; i += 4) {
    const piece = core.slice(i, i + 8);
    if (/^(skgate|skant|skproj)/i.test(piece)) continue;
    expect(rendered).not.toContain(piece);
  }
}

describe("diagnoseApiKey", () => {
  it("accepts a well-formed key unchanged", () => {
    expect(diagnoseApiKey(KEY)).toEqual({ ok: true, key: KEY });
  });

  describe("missing_api_key", () => {
    it.each([
      ["null", null],
      ["undefined", undefined],
      ["empty", ""],
      ["spaces only", "   "],
      ["a newline only", "\n"],
      ["a zero-width space only", "\u200b"],
    ])("%s", (_, raw) => {
      expect(code(raw)).toBe("missing_api_key");
    });
  });

  describe("api_key_whitespace", () => {
    it.each([
      ["leading space", ` ${KEY}`],
      ["trailing space", `${KEY} `],
      ["trailing newline", `${KEY}\n`],
      ["trailing CRLF", `${KEY}\r\n`],
      ["leading tab", `\t${KEY}`],
      ["inner space", `${KEY.slice(0, 20)} ${KEY.slice(20)}`],
      ["line break inside (wrapped terminal)", `${KEY.slice(0, 30)}\n${KEY.slice(30)}`],
      ["no-break space", `\u00a0${KEY}`],
      ["narrow no-break space", `${KEY}\u202f`],
      ["ideographic space", `${KEY}\u3000`],
      ["line separator", `${KEY}\u2028`],
      ["space and zero-width space together", ` ${KEY}\u200b`],
    ])("%s", (_, raw) => {
      expect(code(raw)).toBe("api_key_whitespace");
    });
  });

  describe("api_key_invisible_characters", () => {
    it.each([
      ["zero-width space", `${KEY}\u200b`],
      ["zero-width space inside", `${KEY.slice(0, 10)}\u200b${KEY.slice(10)}`],
      ["zero-width non-joiner", `${KEY}\u200c`],
      ["zero-width joiner", `\u200d${KEY}`],
      ["byte-order mark at the start", `\ufeff${KEY}`],
      ["byte-order mark at the end", `${KEY}\ufeff`],
      ["soft hyphen", `${KEY.slice(0, 12)}\u00ad${KEY.slice(12)}`],
      ["word joiner", `${KEY}\u2060`],
      ["left-to-right mark", `\u200e${KEY}`],
      ["right-to-left mark", `${KEY}\u200f`],
      ["right-to-left override", `\u202e${KEY}`],
      ["first strong isolate", `\u2068${KEY}\u2069`],
      ["NUL", `${KEY}\u0000`],
      ["DEL", `${KEY}\u007f`],
      ["escape sequence", `\u001b${KEY}`],
      ["variation selector", `${KEY}\ufe0f`],
      ["Hangul filler", `${KEY}\u3164`],
      ["tag character", `${KEY}\u{e0041}`],
    ])("%s", (_, raw) => {
      expect(code(raw)).toBe("api_key_invisible_characters");
    });
  });

  describe("api_key_masked_preview", () => {
    it.each([
      ["ellipsis mask", "sk-gate-…7hP"],
      ["the display mask", `sk-gate-\u2026${KEY.slice(-4)}`],
      ["bullet mask", "sk-gate-••••••••Yo7hP"],
      ["black circle mask", "sk-gate-●●●●Yo7hP"],
      ["asterisk mask", "sk-gate-********Yo7hP"],
      ["three dots", "sk-gate-...Yo7hP"],
      ["bullets only", "••••••••••"],
      ["mask with a trailing newline", "sk-gate-…Yo7hP\n"],
      ["another provider's mask", "sk-ant-api03-…AbCd"],
    ])("%s", (_, raw) => {
      expect(code(raw)).toBe("api_key_masked_preview");
    });
  });

  describe("api_key_other_provider", () => {
    it.each([
      ["Anthropic", `sk-ant-api03-${alnum(86)}-${alnum(6)}AA`, "Anthropic"],
      ["Anthropic admin", `sk-ant-admin01-${alnum(86)}`, "Anthropic"],
      ["OpenAI project", `sk-proj-${alnum(40)}_${alnum(40)}`, "OpenAI"],
      ["OpenAI service account", `sk-svcacct-${alnum(60)}`, "OpenAI"],
      ["OpenAI legacy", `sk-${alnum(20)}T3BlbkFJ${alnum(20)}`, "OpenAI"],
      ["OpenRouter", `sk-or-v1-${alnum(64)}`, "OpenRouter"],
      ["Google", `AIza${alnum(35)}`, "Google"],
      ["Groq", `gsk_${alnum(52)}`, "Groq"],
      ["xAI", `xai-${alnum(80)}`, "xAI"],
      ["Perplexity", `pplx-${alnum(48)}`, "Perplexity"],
      ["Hugging Face", `hf_${alnum(34)}`, "Hugging Face"],
      ["generic sk- key (DeepSeek style)", `sk-${"0123456789abcdef".repeat(2)}`, undefined],
      ["generic 48-character sk- key", `sk-${alnum(48).replace(/T3BlbkFJ/g, "x")}`, undefined],
      ["Anthropic with surrounding whitespace", ` sk-ant-api03-${alnum(90)}\n`, "Anthropic"],
      ["Google with a zero-width space", `AIza${alnum(35)}\u200b`, "Google"],
    ])("%s", (_, raw, provider) => {
      const d = diagnoseApiKey(raw);
      expect(d).toMatchObject({ ok: false, code: "api_key_other_provider" });
      expect(!d.ok && d.code === "api_key_other_provider" ? d.provider : "none").toBe(provider);
    });

    it("does not take a Gatehouse key with a lost hyphen for a foreign one", () => {
      expect(code(`sk-gate${BODY}`)).toBe("invalid_api_key");
    });
  });

  describe("invalid_api_key", () => {
    it.each([
      ["unrelated text", "hello", "not_gatehouse_format"],
      ["upper-cased prefix", KEY.toUpperCase(), "not_gatehouse_format"],
      ["missing hyphen", `sk-gate${BODY}`, "not_gatehouse_format"],
      ["prefix only", "sk-gate-", "wrong_length"],
      ["one character short", KEY.slice(0, -1), "wrong_length"],
      ["one character long", `${KEY}A`, "wrong_length"],
      ["pasted twice", KEY + KEY, "wrong_length"],
      ["leading letter", `x${KEY}`, "wrong_length"],
      ["double quotes", `"${KEY}"`, "bad_characters"],
      ["single quotes", `'${KEY}'`, "bad_characters"],
      ["curly quotes", `“${KEY}”`, "bad_characters"],
      ["underscore inside", `${KEY.slice(0, 20)}_${KEY.slice(21)}`, "bad_characters"],
      ["hyphen inside the body", `${KEY.slice(0, 20)}-${KEY.slice(21)}`, "bad_characters"],
      ["Cyrillic look-alike", `${KEY.slice(0, 20)}\u0430${KEY.slice(21)}`, "bad_characters"],
      ["env assignment", `OPENAI_API_KEY=${KEY}`, "bad_characters"],
      ["one flipped character", `${KEY.slice(0, 30)}${KEY[30] === "A" ? "B" : "A"}${KEY.slice(31)}`, "bad_checksum"],
      ["body above 2^256 with a valid checksum", withChecksum("z".repeat(43)), "not_gatehouse_format"],
    ])("%s", (_, raw, expected) => {
      expect(code(raw)).toBe("invalid_api_key");
      expect(reason(raw)).toBe(expected);
    });

    it("catches every single-character substitution by checksum alone", () => {
      for (let i = 8; i < KEY.length; i++) {
        for (const ch of BASE62_ALPHABET) {
          if (ch === KEY[i]) continue;
          const typo = KEY.slice(0, i) + ch + KEY.slice(i + 1);
          expect(reason(typo), `position ${i}`).toBe("bad_checksum");
        }
      }
    });

    it("catches every adjacent transposition", () => {
      for (let i = 8; i < KEY.length - 1; i++) {
        if (KEY[i] === KEY[i + 1]) continue;
        const swapped = KEY.slice(0, i) + KEY[i + 1] + KEY[i] + KEY.slice(i + 2);
        expect(reason(swapped), `position ${i}`).toBe("bad_checksum");
      }
    });
  });

  it("rejects random single-character typos of random keys (300 keys)", () => {
    for (let n = 0; n < 300; n++) {
      const key = generateApiKey();
      const i = 8 + (randomBytes(1)[0]! % 49);
      const replacement = BASE62_ALPHABET.charAt((BASE62_ALPHABET.indexOf(key.charAt(i)) + 1 + (n % 61)) % 62);
      const typo = key.slice(0, i) + replacement + key.slice(i + 1);
      expect(diagnoseApiKey(typo)).toEqual({ ok: false, code: "invalid_api_key", reason: "bad_checksum" });
    }
  });

  it("never returns the key or pieces of it in a failure or its message", () => {
    const samples = [
      ` ${KEY}`,
      `${KEY}\u200b`,
      `"${KEY}"`,
      KEY.slice(0, -1),
      `${KEY.slice(0, 30)}${KEY[30] === "A" ? "B" : "A"}${KEY.slice(31)}`,
      `sk-ant-api03-${alnum(90)}`,
      `AIza${alnum(35)}`,
      `sk-${alnum(48)}`,
      "sk-gate-…7hP",
    ];
    for (const raw of samples) {
      const d = diagnoseApiKey(raw);
      expect(d.ok).toBe(false);
      expect(JSON.stringify(d)).not.toContain(raw.trim());
      expectNoKeyMaterial(raw, d);
    }
  });
});
