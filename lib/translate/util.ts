// Small helpers shared by the adapters: typed reads of untrusted JSON that fail with the field's
// path, and conversions every adapter needs (data URLs, argument JSON, usage sums).

import { PROTOCOL_NAMES, TranslationError, type CanonicalRequest, type ImageSource, type Protocol, type Usage } from "./canonical";

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function asObject(v: unknown, path: string): Json {
  if (!isObject(v)) throw new TranslationError(path, "must be an object");
  return v;
}

export function asArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new TranslationError(path, "must be an array");
  return v;
}

export function asString(v: unknown, path: string): string {
  if (typeof v !== "string") throw new TranslationError(path, "must be a string");
  return v;
}

export function asNumber(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new TranslationError(path, "must be a number");
  return v;
}

export function asBoolean(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") throw new TranslationError(path, "must be true or false");
  return v;
}

export const optNumber = (v: unknown, path: string): number | undefined => (v === undefined || v === null ? undefined : asNumber(v, path));
export const optString = (v: unknown, path: string): string | undefined => (v === undefined || v === null ? undefined : asString(v, path));

/** Refuses every key of `obj` that is not in `known`, naming the first one found. */
export function refuseUnknown(obj: Json, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) throw new TranslationError(join(prefix, key), UNTRANSLATABLE);
  }
}

export const UNTRANSLATABLE = "cannot be translated to another provider's protocol";

export const join = (prefix: string, key: string | number): string => (typeof key === "number" ? `${prefix}[${key}]` : prefix ? `${prefix}.${key}` : key);

export const targetName = (p: Protocol): string => `an ${PROTOCOL_NAMES[p]} model`.replace("an Gemini", "a Gemini");

/** The client's path for a canonical feature, for an error raised while building the upstream body. */
export function pathOf(req: CanonicalRequest, key: keyof CanonicalRequest): string {
  return req.paths[key] ?? String(key);
}

export function cannotSend(req: CanonicalRequest, key: keyof CanonicalRequest, target: Protocol, detail = ""): TranslationError {
  return new TranslationError(pathOf(req, key), `cannot be sent to ${targetName(target)}${detail ? `: ${detail}` : ""}`);
}

/** `data:image/png;base64,AAAA` → base64 source; any other URL → URL source. */
export function imageFromUrl(url: string): ImageSource {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (match) return { kind: "base64", mediaType: match[1] ?? "", data: match[2] ?? "" };
  return { kind: "url", url };
}

export const dataUrl = (mediaType: string, data: string): string => `data:${mediaType};base64,${data}`;

/** Parses tool-call arguments for a protocol that wants an object; an empty text means no arguments. */
export function parseArguments(text: string, path: string): Json {
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TranslationError(path, "is not valid JSON, so the tool call cannot be translated");
  }
  if (!isObject(parsed)) throw new TranslationError(path, "must be a JSON object to be translated");
  return parsed;
}

/** Counts from an upstream are whole non-negative numbers; anything else counts as 0. */
export const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

export const totalInput = (u: Usage): number => u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;

export function mergeUsage(base: Usage, update: Partial<Usage> | undefined): Usage {
  if (!update) return base;
  const next: Usage = { ...base };
  for (const [k, v] of Object.entries(update) as [keyof Usage, number | undefined][]) if (v !== undefined) next[k] = v;
  return next;
}

/** One SSE frame; `data` is serialised JSON unless a string is given. */
export function sse(data: unknown, opts: { event?: string; eol?: string } = {}): string {
  const eol = opts.eol ?? "\n";
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return `${opts.event ? `event: ${opts.event}${eol}` : ""}data: ${payload}${eol}${eol}`;
}

export function parseEventJson(data: string): Json | null {
  try {
    const v: unknown = JSON.parse(data);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}
