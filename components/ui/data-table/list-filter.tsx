import Link from "next/link";
import { listHref, type ListUrlState } from "./list-href";

/**
 * A list's text filter: a GET form, so the filter lands in the URL next to the sort (kept through
 * hidden fields) and starts again at the first page. Works without JavaScript.
 */
export function ListFilter({ pathname, state, name = "q", label, id }: { pathname: string; state: ListUrlState; name?: string; label: string; id: string }) {
  const value = state[name] ?? "";
  return (
    <form role="search" action={pathname} className="mt-6 flex flex-wrap items-end gap-2">
      <input type="hidden" name="sort" value={state.sort} />
      <input type="hidden" name="dir" value={state.dir} />
      <div className="flex min-w-0 flex-col gap-1">
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        <input
          id={id}
          name={name}
          type="search"
          defaultValue={value}
          maxLength={200}
          className="h-9 w-72 max-w-full rounded-md border border-border bg-background px-3 text-sm"
        />
      </div>
      <button type="submit" className="h-9 rounded-md border border-border px-3 text-sm hover:bg-surface">
        Search
      </button>
      {value ? (
        <Link href={listHref(pathname, state, { [name]: null, cursor: null })} className="inline-flex h-9 items-center px-1 text-sm underline">
          Clear
        </Link>
      ) : null}
    </form>
  );
}
