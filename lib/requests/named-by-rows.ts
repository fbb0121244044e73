import "server-only";

/**
 * The records a page of log rows names (its keys, orders or channels), read once by their distinct
 * ids and returned by id. The request log keeps bare ids, with no foreign keys (see the schema's
 * RequestLog), so a row naming a record that is gone finds nothing here and shows what it logged.
 */
export async function namedByRows<T extends { id: string }>(ids: Iterable<string | null>, read: (ids: string[]) => Promise<T[]>): Promise<Map<string, T>> {
  const wanted = [...new Set([...ids].filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  return new Map((await read(wanted)).map((record) => [record.id, record]));
}
