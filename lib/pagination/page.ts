/** One page of a list, and where the next one starts (null: this is the last). */
export interface Page<Row> {
  rows: Row[];
  nextCursor: string | null;
}

/**
 * Cuts the `take + 1` rows a list fetched into a page: the extra row only says that more follow,
 * and the cursor is the position of the last row shown.
 */
export function toPage<Row>(rows: Row[], take: number, cursorOf: (row: Row) => string): Page<Row> {
  if (rows.length <= take) return { rows, nextCursor: null };
  const shown = rows.slice(0, take);
  return { rows: shown, nextCursor: cursorOf(shown[shown.length - 1]!) };
}

/** A keyset comparison: rows after the cursor in the list's direction. */
export function beyond<V>(dir: "asc" | "desc", value: V): { gt: V } | { lt: V } {
  return dir === "asc" ? { gt: value } : { lt: value };
}
