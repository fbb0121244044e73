import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DataTable, type DataTableColumn } from "./data-table";
import { listHref } from "./list-href";

type Row = { id: string; email: string; since: string };
const columns: DataTableColumn<Row>[] = [
  { id: "email", header: "Email", sortKey: "email", rowHeader: true, cell: (r) => r.email },
  { id: "since", header: "Since", sortKey: "since", firstDir: "desc", cell: (r) => r.since },
  { id: "note", header: "Note", cell: () => "-" },
];
const rows: Row[] = [
  { id: "1", email: "a@example.com", since: "2026-01-01" },
  { id: "2", email: "b@example.com", since: "2026-01-02" },
];

function render(props: Partial<Parameters<typeof DataTable<Row>>[0]>): string {
  return renderToStaticMarkup(
    createElement(DataTable<Row>, { label: "Users", columns, rows, rowKey: (r) => r.id, empty: createElement("p", null, "No users match."), ...props }),
  );
}

describe("DataTable", () => {
  const list = { pathname: "/console/users", state: { sort: "email", dir: "asc" as const, cursor: null, q: "example" }, nextCursor: "NEXT" };

  it("names the table, scopes headers and marks only the sorted column", () => {
    const html = render({ list });
    expect(html).toContain('<caption class="sr-only">Users, sorted by email, ascending</caption>');
    expect(html).toContain('role="region" aria-label="Users" tabindex="0"');
    expect(html.match(/scope="col"/g)).toHaveLength(3);
    expect(html.match(/aria-sort=/g)).toHaveLength(1);
    expect(html).toMatch(/<th scope="col" aria-sort="ascending"[^>]*><a [^>]*href="\/console\/users\?sort=email&amp;dir=desc&amp;q=example"/);
    expect(html.match(/<th scope="row"/g)).toHaveLength(2);
  });

  it("sorts another column from its natural end, keeps the filter and drops the cursor", () => {
    const html = render({ list: { ...list, state: { ...list.state, cursor: "HERE" } } });
    expect(html).toContain('href="/console/users?sort=since&amp;dir=desc&amp;q=example"');
    expect(html).toMatch(/href="\/console\/users\?sort=email&amp;dir=asc&amp;q=example">First page/);
    expect(html).toMatch(/rel="next" href="\/console\/users\?sort=email&amp;dir=asc&amp;cursor=NEXT&amp;q=example">Next page/);
  });

  it("shows the empty state instead of a table, and no sort links without list state", () => {
    expect(render({ rows: [] })).toBe("<div><p>No users match.</p></div>");
    const fixed = render({});
    expect(fixed).not.toContain("<a ");
    expect(fixed).not.toContain("aria-sort");
    expect(fixed).not.toContain("Next page");
  });

  it("builds links that keep filters and leave out empty values", () => {
    expect(listHref("/x", { sort: "a", dir: "asc", cursor: null, q: "" })).toBe("/x?sort=a&dir=asc");
    expect(listHref("/x", { q: "b c" }, { cursor: "z" })).toBe("/x?q=b+c&cursor=z");
    expect(listHref("/x", {})).toBe("/x");
  });
});
