import { roleSchema, setUserRole } from "@/lib/users";
import { CliError, requireString, type Command } from "../command";

export const userRoleCommand: Command = {
  path: ["user", "role"],
  summary: "Change a user's role (audited).",
  usage: "user role --email EMAIL --role BUYER|SUPPORT|ADMIN",
  options: { email: { type: "string" }, role: { type: "string" } },
  async run(ctx, { values }) {
    const role = roleSchema.safeParse(requireString(values, "role").toUpperCase());
    if (!role.success) throw new CliError("--role must be BUYER, SUPPORT or ADMIN.", 2);
    const result = await setUserRole(ctx.database().prisma, { email: requireString(values, "email"), role: role.data, actor: { label: "cli" } });
    return {
      data: { user: result },
      text: result.changed ? `${result.email} is now ${result.role} (was ${result.previousRole}).` : `${result.email} already is ${result.role}.`,
    };
  },
};
