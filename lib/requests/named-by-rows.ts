import "server-only";

/**
 * The records a page of log rows names (its keys, orders or channels), read once by their distinct
 * ids, as a lookup by id. The request log keeps bare ids, with no foreign keys (see the schema's
 * RequestLog), so a row naming no record, or one that is gone, finds nothing and shows what it logged.
 */
export async function namedByRows<T extends { id: string }>(
  ids: Iterable<string | null>,
  read: (ids: string[]) => Promise<T[]>,
): Promise<(id: string | null) => T | undefined> {
  const wanted = [...new Set([...ids].filter((id): id is string => id !== null))];
  const found = new Map(wanted.length === 0 ? [] : (await read(wanted)).map((record) => [record.id, record]));
  return (id) => (id === null ? undefined : found.get(id));
}
