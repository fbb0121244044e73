import { z } from "zod";
import { safeText } from "@/lib/text/safe-text";

export type SortDirection = "asc" | "desc";

/**
 * The zod schema of a list's URL state: `sort` (one of `sortKeys`), `dir` and an opaque `cursor`.
 * Anything else, or a tampered value, falls back to the default (first page in the default order):
 * a URL is user input, and a bad one deserves the list, not an error page. Filters are each list's
 * own and are extended onto this schema.
 */
export function listQuerySchema<const Keys extends readonly [string, ...string[]]>(sortKeys: Keys, defaults: { sort: Keys[number]; dir: SortDirection }) {
  return z.object({
    sort: z.enum(sortKeys).catch(defaults.sort),
    dir: z.enum(["asc", "desc"]).catch(defaults.dir),
    cursor: safeText().min(1).max(512).nullable().catch(null),
  });
}

/** A free-text filter from the URL: trimmed, at most 200 characters, empty when absent or malformed (a NUL included). */
export const textFilterSchema = safeText({ trim: true }).max(200).catch("");
