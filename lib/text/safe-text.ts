import { z } from "zod";

// Text that arrives from outside (a request body, a URL, a form, a webhook) and may be stored.
// PostgreSQL refuses a NUL in `text` and `jsonb` (22P05), and a lone UTF-16 surrogate has no UTF-8
// form, so one such string in a batched insert fails every row beside it. Every entry point checks
// its text with `textProblem`/`safeText` and refuses it with a 4xx; writers that batch rows from
// many requests also pass what they store through `cleanText`, so a value that slipped past a
// check still cannot take other rows down with it.

/** C0 and C1 control characters, DEL included. */
const CONTROL = /\p{Cc}/u;
/** Controls other than tab, line feed and carriage return, which multi-line text may hold. */
const CONTROL_BUT_LINES = /(?![\t\n\r])\p{Cc}/u;
const CONTROL_ALL = /\p{Cc}/gu;
const CONTROL_BUT_LINES_ALL = /(?![\t\n\r])\p{Cc}/gu;

export interface TextRules {
  /** Trim surrounding whitespace before checking (zod schemas only). Default false. */
  trim?: boolean;
  /** Allow tab, line feed and carriage return (message bodies). Default false. */
  multiline?: boolean;
  /** Longest accepted length in UTF-16 code units. */
  maxLength?: number;
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * What is wrong with `value` as stored text, in words that complete "The … ", or null when it is
 * fine: a NUL byte, another control character, an unpaired surrogate, or more than `maxLength`.
 */
export function textProblem(value: string, rules: TextRules = {}): string | null {
  if (rules.maxLength !== undefined && value.length > rules.maxLength) return `is longer than ${rules.maxLength} characters`;
  if (value.includes("\u0000")) return "contains a NUL character";
  const control = (rules.multiline ? CONTROL_BUT_LINES : CONTROL).exec(value);
  if (control) return `contains a control character (${codePoint(control[0])})`;
  if (!value.isWellFormed()) return "contains an unpaired UTF-16 surrogate";
  return null;
}

/**
 * `value` made storable: unpaired surrogates and control characters (but line breaks and tabs when
 * `multiline`) become U+FFFD, and text beyond `maxLength` is cut. Returns `value` itself when it is
 * already fine, so calling it on every row costs one scan.
 */
export function cleanText(value: string, rules: TextRules = {}): string {
  let out = value;
  if (rules.maxLength !== undefined && out.length > rules.maxLength) out = out.slice(0, rules.maxLength);
  if (!out.isWellFormed()) out = out.toWellFormed();
  const control = rules.multiline ? CONTROL_BUT_LINES_ALL : CONTROL_ALL;
  control.lastIndex = 0;
  if (control.test(out)) {
    control.lastIndex = 0;
    out = out.replace(control, "\uFFFD");
  }
  return out;
}

/**
 * The first string in a parsed JSON value (an object key or a string value) that PostgreSQL could
 * not store — a NUL or an unpaired surrogate — as a path and the problem, or null. For payloads
 * kept whole (`jsonb`), whose fields beyond the known ones are not otherwise checked.
 */
export function unstorableJsonText(value: unknown, path = "body"): { path: string; problem: string } | null {
  const check = (text: string, at: string) => {
    if (text.includes("\u0000")) return { path: at, problem: "contains a NUL character" };
    if (!text.isWellFormed()) return { path: at, problem: "contains an unpaired UTF-16 surrogate" };
    return null;
  };
  if (typeof value === "string") return check(value, path);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableJsonText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const found = check(key, `${path} key`) ?? unstorableJsonText(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

/**
 * A zod string checked with `textProblem`: `safeText({ trim: true }).min(1).max(120)` for one-line
 * fields (trimmed first, so a trailing line break is trimmed rather than refused),
 * `{ multiline: true }` for message bodies.
 */
export function safeText(rules: TextRules = {}) {
  return (rules.trim ? z.string().trim() : z.string()).superRefine((value, ctx) => {
    const problem = textProblem(value, rules);
    if (problem) ctx.addIssue({ code: "custom", message: `The text ${problem}.` });
  });
}
