import "server-only";
import type { Role } from "@/lib/db/types";
import type { Prisma } from "@/lib/db";

export interface UserSummary {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  customerName: string | null;
  createdAt: Date;
}

/** Users for the console, staff first, then by address; optionally those whose address contains `query`. */
export async function listUsers(db: Prisma, options: { query?: string; take?: number } = {}): Promise<UserSummary[]> {
  const query = options.query?.trim().toLowerCase();
  const users = await db.user.findMany({
    where: query ? { email: { contains: query } } : {},
    orderBy: [{ role: "desc" }, { email: "asc" }],
    take: options.take ?? 200,
    select: { id: true, email: true, name: true, role: true, createdAt: true, customer: { select: { name: true } } },
  });
  return users.map(({ customer, ...u }) => ({ ...u, customerName: customer?.name ?? null }));
}
