import { setChannelEnabled } from "@/lib/channels";
import { CliError, type Command } from "../command";

function toggle(enabled: boolean): Command {
  const verb = enabled ? "enable" : "disable";
  return {
    path: ["channel", verb],
    summary: `${enabled ? "Enable" : "Disable"} an upstream channel (audited).`,
    usage: `channel ${verb} NAME`,
    positionals: { min: 1, max: 1, names: ["NAME"] },
    async run(ctx, { positionals }) {
      const name = positionals[0] ?? "";
      const db = ctx.database().prisma;
      const found = await db.upstreamChannel.findUnique({ where: { name }, select: { id: true } });
      if (!found) throw new CliError(`No channel named "${name}".`);
      await setChannelEnabled(db, { id: found.id, enabled, actor: { label: "cli" } });
      return { data: { channel: { id: found.id, name, enabled } }, text: `Channel "${name}" is ${enabled ? "enabled" : "disabled"}.` };
    },
  };
}

export const channelEnableCommand = toggle(true);
export const channelDisableCommand = toggle(false);
