import type { Metadata } from "next";
import { LocalTime } from "@/components/local-time";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listUsers } from "@/lib/users";
import { RoleForm } from "./role-form";

export const metadata: Metadata = { title: "Users" };

const ROLE_LABELS = { BUYER: "Buyer", SUPPORT: "Support", ADMIN: "Admin" } as const;

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleUsersPage({ searchParams }: Props) {
  const user = await requireStaff();
  const { q } = await searchParams;
  const query = typeof q === "string" ? q.slice(0, 200) : "";
  const users = await listUsers(getDb(), { query, take: 200 });
  const canChangeRoles = user.role === "ADMIN";

  return (
    <>
      <PageHeader
        title="Users"
        description={
          canChangeRoles
            ? "Everyone who can sign in. Role changes take effect on the user's next page load and are recorded in the audit log."
            : "Everyone who can sign in. Only admins can change roles."
        }
      />
      <form role="search" className="mt-6 flex flex-wrap items-end gap-2">
        <div className="flex flex-col gap-1">
          <label htmlFor="user-query" className="text-sm font-medium">
            Search by email
          </label>
          <input id="user-query" name="q" type="search" defaultValue={query} className="h-9 w-72 max-w-full rounded-md border border-border bg-background px-3 text-sm" />
        </div>
        <button type="submit" className="h-9 rounded-md border border-border px-3 text-sm hover:bg-surface">
          Search
        </button>
      </form>
      {users.length === 0 ? (
        <p className="mt-8 text-muted">No users match.</p>
      ) : (
        // `relative` keeps the visually hidden role labels (absolutely positioned) inside the scroll
        // area; otherwise they widen the page on narrow screens.
        <div className="relative mt-6 overflow-x-auto rounded-lg border border-border">
          <table className="w-full min-w-[44rem] text-left text-sm">
            <thead className="bg-surface text-muted">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  Email
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Account
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Since
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Role
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} className="border-t border-border align-top">
                  <th scope="row" className="px-4 py-3 font-normal break-words">
                    {u.email}
                    {u.name ? <span className="block text-xs text-muted">{u.name}</span> : null}
                  </th>
                  <td className="px-4 py-3">{u.customerName ?? <span className="text-muted">None</span>}</td>
                  <td className="px-4 py-3 whitespace-nowrap">
                    <LocalTime value={u.createdAt} dateOnly />
                  </td>
                  <td className="px-4 py-3">
                    {canChangeRoles && u.id !== user.id ? <RoleForm email={u.email} role={u.role} /> : <Badge tone="info">{ROLE_LABELS[u.role]}</Badge>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
