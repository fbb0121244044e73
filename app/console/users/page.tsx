import type { Metadata } from "next";
import { LocalTime } from "@/components/local-time";
import { Badge } from "@/components/ui/badge";
import { DataTable, ListFilter, type DataTableColumn } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireStaff } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listUsers, userListQuerySchema, type UserSummary } from "@/lib/users";
import { RoleForm } from "./role-form";

export const metadata: Metadata = { title: "Users" };

const ROLE_LABELS = { BUYER: "Buyer", SUPPORT: "Support", ADMIN: "Admin" } as const;

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConsoleUsersPage({ searchParams }: Props) {
  const user = await requireStaff();
  const query = userListQuerySchema.parse(await searchParams);
  const users = await listUsers(getDb(), { query });
  const canChangeRoles = user.role === "ADMIN";

  const columns: DataTableColumn<UserSummary>[] = [
    {
      id: "email",
      header: "Email",
      sortKey: "email",
      rowHeader: true,
      className: "break-words",
      cell: (u) => (
        <>
          {u.email}
          {u.name ? <span className="block text-xs text-muted">{u.name}</span> : null}
        </>
      ),
    },
    { id: "account", header: "Account", cell: (u) => u.customerName ?? <span className="text-muted">None</span> },
    {
      id: "since",
      header: "Since",
      sortKey: "since",
      firstDir: "desc",
      className: "whitespace-nowrap",
      cell: (u) => <LocalTime value={u.createdAt} dateOnly />,
    },
    {
      id: "role",
      header: "Role",
      sortKey: "role",
      firstDir: "desc",
      // Admins cannot change their own role (the action refuses it too), so their row shows a badge.
      cell: (u) => (canChangeRoles && u.id !== user.id ? <RoleForm email={u.email} role={u.role} /> : <Badge tone="info">{ROLE_LABELS[u.role]}</Badge>),
    },
  ];

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
      <ListFilter pathname="/console/users" state={query} id="user-query" label="Search by email" />
      <DataTable
        label="Users"
        className="mt-6"
        minWidth="min-w-[44rem]"
        columns={columns}
        rows={users.rows}
        rowKey={(u) => u.id}
        list={{ pathname: "/console/users", state: query, nextCursor: users.nextCursor }}
        empty={<p className="text-muted">{query.q ? "No users match." : "No users yet."}</p>}
      />
    </>
  );
}
