import type { SortDirection } from "@/lib/pagination/list-query-schema";

/** A list's state as it stands in the URL: sort, page and every filter (null or "" when unset). */
export type ListUrlState = { sort: string; dir: SortDirection; cursor: string | null } & Readonly<Record<string, string | null>>;

/**
 * A link to the same list with `changes` applied. Every other parameter, the filters above all, is
 * kept; empty ones are left out so URLs stay short and shareable.
 */
export function listHref(pathname: string, state: Readonly<Record<string, string | null>>, changes: Readonly<Record<string, string | null>> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...state, ...changes })) if (value) search.set(name, value);
  const query = search.toString();
  return query ? `${pathname}?${query}` : pathname;
}
