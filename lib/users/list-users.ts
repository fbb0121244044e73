import "server-only";
import { z } from "zod";
import type { PrismaTypes, Role } from "@/lib/db/types";
import type { Prisma } from "@/lib/db";
import { beyond, decodeCursor, encodeCursor, listQuerySchema, textFilterSchema, toPage, type Page, type SortDirection } from "@/lib/pagination";
import { roleSchema } from "./set-user-role";

export interface UserSummary {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  customerName: string | null;
  createdAt: Date;
}

/** URL state of the users list: by role (staff first, then by address) unless sorted; `q` matches the address. */
export const userListQuerySchema = listQuerySchema(["role", "email", "since"], { sort: "role", dir: "desc" }).extend({ q: textFilterSchema });
export type UserListQuery = z.infer<typeof userListQuerySchema>;

// The database orders the enum as declared (BUYER < SUPPORT < ADMIN); Prisma offers no lt/gt on
// enums, so "after this role" is the set of roles that follow it in the list's direction.
const ROLE_ORDER = roleSchema.options;
function rolesBeyond(role: Role, dir: SortDirection): Role[] {
  const at = ROLE_ORDER.indexOf(role);
  return dir === "asc" ? ROLE_ORDER.slice(at + 1) : ROLE_ORDER.slice(0, at);
}

const emailCursor = z.tuple([z.string().max(320)]);
const roleCursor = z.tuple([roleSchema, z.string().max(320)]);
const sinceCursor = z.tuple([z.iso.datetime().transform((t) => new Date(t)), z.string().max(100)]);

function keyset(query: UserListQuery): { orderBy: PrismaTypes.UserOrderByWithRelationInput[]; after: PrismaTypes.UserWhereInput } {
  const { sort, dir, cursor } = query;
  if (sort === "email") {
    const position = decodeCursor(cursor, emailCursor);
    return { orderBy: [{ email: dir }], after: position ? { email: beyond(dir, position[0]) } : {} };
  }
  if (sort === "since") {
    const position = decodeCursor(cursor, sinceCursor);
    return {
      orderBy: [{ createdAt: dir }, { id: dir }],
      after: position ? { OR: [{ createdAt: beyond(dir, position[0]) }, { createdAt: position[0], id: beyond(dir, position[1]) }] } : {},
    };
  }
  // Within a role, always by address: emails are unique, so they break every tie.
  const position = decodeCursor(cursor, roleCursor);
  return {
    orderBy: [{ role: dir }, { email: "asc" }],
    after: position ? { OR: [{ role: { in: rolesBeyond(position[0], dir) } }, { role: position[0], email: { gt: position[1] } }] } : {},
  };
}

function cursorOf(user: { id: string; email: string; role: Role; createdAt: Date }, query: UserListQuery): string {
  if (query.sort === "email") return encodeCursor([user.email]);
  if (query.sort === "since") return encodeCursor([user.createdAt.toISOString(), user.id]);
  return encodeCursor([user.role, user.email]);
}

/** One page of users for the console. */
export async function listUsers(db: Prisma, input: { query: UserListQuery; take?: number }): Promise<Page<UserSummary>> {
  const take = input.take ?? 50;
  const q = input.query.q.toLowerCase();
  const { orderBy, after } = keyset(input.query);
  const users = await db.user.findMany({
    where: { AND: [q ? { email: { contains: q } } : {}, after] },
    orderBy,
    take: take + 1,
    select: { id: true, email: true, name: true, role: true, createdAt: true, customer: { select: { name: true } } },
  });
  const page = toPage(users, take, (u) => cursorOf(u, input.query));
  return { nextCursor: page.nextCursor, rows: page.rows.map(({ customer, ...u }) => ({ ...u, customerName: customer?.name ?? null })) };
}
