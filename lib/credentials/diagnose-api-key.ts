import "server-only";
import type { ErrorCode, InvalidApiKeyReason } from "@/lib/errors";
import { API_KEY_BODY_LENGTH, API_KEY_LENGTH, API_KEY_PREFIX, MAX_API_KEY_BODY, apiKeyChecksum } from "./api-key-format";
import { detectOtherProvider } from "./detect-other-provider";

/** The Errors-table codes a credential can fail with before any database read. */
export type ApiKeyProblem = Extract<
  ErrorCode,
  "missing_api_key" | "api_key_whitespace" | "api_key_invisible_characters" | "api_key_masked_preview" | "api_key_other_provider" | "invalid_api_key"
>;

/** Why a string with our prefix is still not a key we could have issued. */
export type MalformedApiKeyReason = Extract<InvalidApiKeyReason, "not_gatehouse_format" | "wrong_length" | "bad_characters" | "bad_checksum">;

export type ApiKeyFailure =
  | {
      ok: false;
      code: "missing_api_key" | "api_key_whitespace" | "api_key_invisible_characters" | "api_key_masked_preview";
    }
  | { ok: false; code: "api_key_other_provider"; provider?: string }
  | { ok: false; code: "invalid_api_key"; reason: MalformedApiKeyReason };

export type ApiKeyDiagnosis = { ok: true; key: string } | ApiKeyFailure;

const WELL_FORMED = /^sk-gate-[0-9A-Za-z]{49}$/;
const WHITESPACE = /\p{White_Space}/u;
// Format characters (ZWSP, ZWJ, ZWNJ, word joiner, BOM, soft hyphen, bidi marks and isolates),
// controls, and everything Unicode says renders as nothing (variation selectors, Hangul fillers).
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const ALL_SPACE_OR_INVISIBLE = /[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
// Ellipsis, bullets and dots portals use to mask keys, runs of asterisks, and "..." typed by hand.
const MASK = /[\u2026\u2022\u25CF\u00B7\u2219\u22EF\u25E6\u2981]|\*{2,}|\.{3,}/;
const NON_BASE62 = /[^0-9A-Za-z]/;

function fail(code: "missing_api_key" | "api_key_whitespace" | "api_key_invisible_characters" | "api_key_masked_preview"): ApiKeyFailure {
  return { ok: false, code };
}

function invalid(reason: MalformedApiKeyReason): ApiKeyFailure {
  return { ok: false, code: "invalid_api_key", reason };
}

/**
 * Checks a credential as received, without any database read, and says what is wrong with it in
 * the Errors table's terms. The key never appears in the result.
 *
 * Precedence, first match wins:
 * 1. `missing_api_key`: null, undefined, or nothing left once whitespace and invisible characters
 *    are removed (an empty environment variable, `Bearer ` with nothing after it).
 * 2. `api_key_masked_preview` and then 3. `api_key_other_provider`, both judged on the value with
 *    whitespace and invisible characters removed. These say the value is the wrong thing
 *    altogether; reporting a stray space first would send the user round again only to hear that.
 * 4. `api_key_whitespace`: any Unicode white space (space, tab, line break, NBSP…).
 * 5. `api_key_invisible_characters`: zero-width and other format or control characters.
 * 6. `invalid_api_key`, with the first applicable reason: `not_gatehouse_format` (no `sk-gate-`,
 *    or a body above the largest 32-byte value), `bad_characters` (anything but letters and digits
 *    besides the prefix, e.g. quotes), `wrong_length`, then `bad_checksum`.
 */
export function diagnoseApiKey(raw: string | null | undefined): ApiKeyDiagnosis {
  if (raw === null || raw === undefined || raw === "") return fail("missing_api_key");

  // The common case is a clean, well-formed key: skip straight to the checksum.
  if (!WELL_FORMED.test(raw)) {
    const visible = raw.replace(ALL_SPACE_OR_INVISIBLE, "");
    if (visible === "") return fail("missing_api_key");
    if (MASK.test(visible)) return fail("api_key_masked_preview");
    if (!visible.startsWith(API_KEY_PREFIX)) {
      const other = detectOtherProvider(visible);
      if (other) {
        return other.provider === undefined
          ? { ok: false, code: "api_key_other_provider" }
          : { ok: false, code: "api_key_other_provider", provider: other.provider };
      }
    }
    if (WHITESPACE.test(raw)) return fail("api_key_whitespace");
    if (INVISIBLE.test(raw)) return fail("api_key_invisible_characters");

    if (!raw.includes(API_KEY_PREFIX)) return invalid("not_gatehouse_format");
    if (NON_BASE62.test(raw.split(API_KEY_PREFIX).join(""))) return invalid("bad_characters");
    // Only the length can still be wrong: a prefix somewhere other than the start, or a body that
    // was cut short or pasted twice, all change it.
    if (!raw.startsWith(API_KEY_PREFIX) || raw.length !== API_KEY_LENGTH) return invalid("wrong_length");
  }

  const bodyEnd = API_KEY_PREFIX.length + API_KEY_BODY_LENGTH;
  const body = raw.slice(API_KEY_PREFIX.length, bodyEnd);
  if (raw.slice(bodyEnd) !== apiKeyChecksum(body)) return invalid("bad_checksum");
  if (body > MAX_API_KEY_BODY) return invalid("not_gatehouse_format");
  return { ok: true, key: raw };
}
