import type { z } from "zod";

// A cursor is the position after the last row of a page: the sort value and the id breaking ties,
// as base64url JSON. Opaque to the user, validated when it comes back (it is user input).

export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

/** The decoded cursor, or null for none or one that does not fit `schema` (then: the first page). */
export function decodeCursor<T>(cursor: string | null, schema: z.ZodType<T>): T | null {
  if (cursor === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
