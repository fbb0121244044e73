import { addStaffUser, roleSchema, setUserRole } from "@/lib/users";
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

export const userAddCommand: Command = {
  path: ["user", "add"],
  summary: "Add a support agent or admin who has no account yet, so they can sign in (audited).",
  usage: "user add --email EMAIL --role SUPPORT|ADMIN [--name NAME]",
  options: { email: { type: "string" }, role: { type: "string" }, name: { type: "string" } },
  async run(ctx, { values }) {
    const role = requireString(values, "role").toUpperCase();
    if (role !== "SUPPORT" && role !== "ADMIN") throw new CliError("--role must be SUPPORT or ADMIN (buyers arrive with their orders).", 2);
    const name = typeof values.name === "string" && values.name.trim() ? values.name.trim() : undefined;
    const user = await addStaffUser(ctx.database().prisma, { email: requireString(values, "email"), role, name, actor: { label: "cli" } });
    return { data: { user }, text: `${user.email} can now sign in as ${user.role}.` };
  },
};
