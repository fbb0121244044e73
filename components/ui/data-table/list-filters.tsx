import Link from "next/link";
import { listHref, type ListUrlState } from "./list-href";

export interface ListFilterField {
  /** The URL parameter. */
  name: string;
  label: string;
  /** "search" (free text, the default), "date" (a day) or "select" (one of `options`, "" for any). */
  type?: "search" | "date" | "select";
  options?: readonly { value: string; label: string }[];
  /** A hint under the label, e.g. what a field matches. */
  hint?: string;
}

const inputClass = "h-9 w-full rounded-md border border-border bg-background px-3 text-sm";

/**
 * Several filters of one list in one GET form, so they land in the URL next to the sort (kept
 * through hidden fields) and the list starts again at its first page. Each field has its own
 * visible label; works without JavaScript. For a single text filter, ListFilter is enough.
 */
export function ListFilters({
  pathname,
  state,
  fields,
  idPrefix,
  label,
}: {
  pathname: string;
  state: ListUrlState;
  fields: readonly ListFilterField[];
  idPrefix: string;
  label: string;
}) {
  const active = fields.some((f) => state[f.name]);
  const cleared = Object.fromEntries([...fields.map((f) => [f.name, null] as const), ["cursor", null] as const]);
  return (
    <form role="search" aria-label={label} action={pathname} className="mt-6 flex flex-wrap items-end gap-3">
      <input type="hidden" name="sort" value={state.sort} />
      <input type="hidden" name="dir" value={state.dir} />
      {fields.map((field) => {
        const id = `${idPrefix}-${field.name}`;
        const value = state[field.name] ?? "";
        return (
          <div key={field.name} className={field.type === "date" ? "flex w-40 flex-col gap-1" : "flex w-full flex-col gap-1 sm:w-56"}>
            <label htmlFor={id} className="text-sm font-medium">
              {field.label}
            </label>
            {field.type === "select" ? (
              <select id={id} name={field.name} defaultValue={value} className={inputClass}>
                <option value="">Any</option>
                {field.options?.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={id}
                name={field.name}
                type={field.type ?? "search"}
                defaultValue={value}
                maxLength={200}
                aria-describedby={field.hint ? `${id}-hint` : undefined}
                className={inputClass}
              />
            )}
            {field.hint ? (
              <span id={`${id}-hint`} className="text-xs text-muted">
                {field.hint}
              </span>
            ) : null}
          </div>
        );
      })}
      <div className="flex items-center gap-2">
        <button type="submit" className="h-9 rounded-md border border-border px-3 text-sm hover:bg-surface">
          Search
        </button>
        {active ? (
          <Link href={listHref(pathname, state, cleared)} className="inline-flex h-9 items-center px-1 text-sm underline">
            Clear
          </Link>
        ) : null}
      </div>
    </form>
  );
}
