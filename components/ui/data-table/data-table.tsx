import Link from "next/link";
import type { ReactNode } from "react";
import type { SortDirection } from "@/lib/pagination/list-query-schema";
import { cn } from "../cn";
import { listHref, type ListUrlState } from "./list-href";

export interface DataTableColumn<Row> {
  /** Unique among the columns (React key). */
  id: string;
  header: string;
  cell: (row: Row) => ReactNode;
  /** The list's sort key for this column; without it the column is not sortable. */
  sortKey?: string;
  /** The direction of a first click: "desc" suits dates (newest first), "asc" names. */
  firstDir?: SortDirection;
  /** This column names the row (`<th scope="row">`); one per table. */
  rowHeader?: boolean;
  className?: string;
}

export interface DataTableProps<Row> {
  /** Names the table (caption) and its scroll region for assistive technology. */
  label: string;
  columns: readonly DataTableColumn<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  /** An element id per row, for rows that are link targets. */
  rowId?: (row: Row) => string;
  /**
   * The list's URL state, for sorting and paging by link. Without it nothing is sortable or paged
   * (a fixed table, or one filtered in the browser).
   */
  list?: { pathname: string; state: ListUrlState; nextCursor: string | null };
  /** Shown instead of the table when there are no rows. */
  empty: ReactNode;
  /** Below this width the table scrolls sideways inside its region rather than squeezing its columns. */
  minWidth?: `min-w-[${string}rem]`;
  className?: string;
}

const ariaSort = { asc: "ascending", desc: "descending" } as const;

/**
 * The one table of the portal and console. A server component (usable from client components
 * too): sorting and paging are plain links carrying the list's state in the URL, so they work
 * without JavaScript, can be bookmarked, and keep every filter. Keyboard: each sortable header and
 * page link is a link in tab order; the scroll region itself takes focus so a keyboard can scroll
 * a wide table on a phone.
 */
export function DataTable<Row>({ label, columns, rows, rowKey, rowId, list, empty, minWidth = "min-w-[40rem]", className }: DataTableProps<Row>) {
  const sortedColumn = list ? columns.find((c) => c.sortKey !== undefined && c.sortKey === list.state.sort) : undefined;
  const caption = sortedColumn && list ? `${label}, sorted by ${sortedColumn.header.toLowerCase()}, ${ariaSort[list.state.dir]}` : label;
  return (
    <div className={className}>
      {rows.length === 0 ? (
        empty
      ) : (
        // `relative` keeps visually hidden text in cells (absolutely positioned) inside the region.
        <div
          role="region"
          aria-label={label}
          tabIndex={0}
          className="relative overflow-x-auto rounded-lg border border-border focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent"
        >
          <table className={cn("w-full text-left text-sm", minWidth)}>
            <caption className="sr-only">{caption}</caption>
            <thead className="bg-surface text-muted">
              <tr>
                {columns.map((column) => (
                  <HeaderCell key={column.id} column={column} list={list} sorted={column === sortedColumn} />
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={rowKey(row)} id={rowId?.(row)} className={cn("border-t border-border align-top", rowId && "scroll-mt-20")}>
                  {columns.map((column) =>
                    column.rowHeader ? (
                      <th key={column.id} scope="row" className={cn("px-4 py-3 font-normal", column.className)}>
                        {column.cell(row)}
                      </th>
                    ) : (
                      <td key={column.id} className={cn("px-4 py-3", column.className)}>
                        {column.cell(row)}
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list ? <Pagination label={label} pathname={list.pathname} state={list.state} nextCursor={list.nextCursor} /> : null}
    </div>
  );
}

function HeaderCell<Row>({ column, list, sorted }: { column: DataTableColumn<Row>; list: DataTableProps<Row>["list"]; sorted: boolean }) {
  if (!list || column.sortKey === undefined) {
    return (
      <th scope="col" className="px-4 py-2 font-medium whitespace-nowrap">
        {column.header}
      </th>
    );
  }
  const dir = list.state.dir;
  // A click on the sorted column turns it around; on another, sorts by it from its natural end.
  // Either way back to the first page: a cursor belongs to one order.
  const nextDir: SortDirection = sorted ? (dir === "asc" ? "desc" : "asc") : (column.firstDir ?? "asc");
  return (
    <th scope="col" aria-sort={sorted ? ariaSort[dir] : undefined} className="px-2 py-1 font-medium whitespace-nowrap">
      <Link
        href={listHref(list.pathname, list.state, { sort: column.sortKey, dir: nextDir, cursor: null })}
        className={cn(
          "inline-flex items-center gap-1 rounded px-2 py-1 hover:bg-background hover:text-foreground focus-visible:outline-2 focus-visible:outline-accent",
          sorted && "text-foreground",
        )}
      >
        {column.header}
        <span aria-hidden="true" className={cn("text-xs", !sorted && "opacity-50")}>
          {sorted ? (dir === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </Link>
    </th>
  );
}

function Pagination({ label, pathname, state, nextCursor }: { label: string; pathname: string; state: ListUrlState; nextCursor: string | null }) {
  if (!state.cursor && !nextCursor) return null;
  const link =
    "inline-flex h-9 items-center rounded-md border border-border px-3 text-sm hover:bg-surface focus-visible:outline-2 focus-visible:outline-accent";
  return (
    <nav aria-label={`Pages of ${label.toLowerCase()}`} className="mt-3 flex flex-wrap items-center gap-2">
      {state.cursor ? (
        <Link href={listHref(pathname, state, { cursor: null })} className={link}>
          First page
        </Link>
      ) : null}
      {nextCursor ? (
        <Link href={listHref(pathname, state, { cursor: nextCursor })} className={link} rel="next">
          Next page
        </Link>
      ) : (
        <span className="text-sm text-muted">Last page</span>
      )}
    </nav>
  );
}
