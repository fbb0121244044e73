"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { staffAction, type ActionFailure, type ActionState } from "@/lib/actions";
import { getDb } from "@/lib/db";
import { LastAdminError, roleSchema, setUserRole, UserNotFoundError } from "@/lib/users";

export type RoleFormState = ActionState<{ status: "success"; message: string }>;

const changeRoleSchema = z.object({
  email: z
    .string({ error: "Enter the user's email address." })
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: "Enter a valid email address." })),
  role: roleSchema,
});

// Console > Users: change a user's role. Admins only (staffAction checks, whatever the page showed);
// the change and its audit entry are written together by setUserRole.
export const changeUserRoleAction = staffAction(
  "ADMIN",
  changeRoleSchema,
  async ({ user, clientIp, input: { email, role } }): Promise<RoleFormState> => {
    // Keeps at least the acting admin in place: nobody can lock the console by demoting themselves.
    if (email === user.email) return { status: "error", message: "You cannot change your own role. Ask another admin." } satisfies ActionFailure;
    const result = await setUserRole(getDb(), { email, role, actor: { userId: user.id, ip: clientIp } });
    revalidatePath("/console/users");
    return { status: "success", message: result.changed ? `${email} is now ${role.toLowerCase()}.` : `${email} already was ${role.toLowerCase()}.` };
  },
  {
    invalidMessage: "Choose Buyer, Support or Admin for an existing user.",
    describeError: (error, { email }) =>
      error instanceof UserNotFoundError ? `No user with the address ${email}.` : error instanceof LastAdminError ? error.message : undefined,
  },
);
