"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { clientIpFromHeaders } from "@/lib/server/client-ip";
import { roleSchema, setUserRole, UserNotFoundError } from "@/lib/users";

export type RoleFormState = { status: "idle" } | { status: "success"; message: string } | { status: "error"; message: string };

const changeRoleSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  role: roleSchema,
});

// Console > Users: change a user's role. Admins only, checked here whatever the page showed; the
// change and its audit entry are written together by setUserRole.
export async function changeUserRoleAction(_previous: RoleFormState, formData: FormData): Promise<RoleFormState> {
  const admin = await requireAdmin();
  const parsed = changeRoleSchema.safeParse({ email: formData.get("email"), role: formData.get("role") });
  if (!parsed.success) return { status: "error", message: "Choose Buyer, Support or Admin for an existing user." };
  const { email, role } = parsed.data;
  // Keeps at least the acting admin in place: nobody can lock the console by demoting themselves.
  if (email === admin.email) return { status: "error", message: "You cannot change your own role. Ask another admin." };
  try {
    const result = await setUserRole(getDb(), { email, role, actor: { userId: admin.id, ip: clientIpFromHeaders(await headers()) } });
    revalidatePath("/console/users");
    return { status: "success", message: result.changed ? `${email} is now ${role.toLowerCase()}.` : `${email} already was ${role.toLowerCase()}.` };
  } catch (err) {
    if (err instanceof UserNotFoundError) return { status: "error", message: `No user with the address ${email}.` };
    throw err;
  }
}
