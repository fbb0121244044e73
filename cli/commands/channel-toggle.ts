import { invalidateCatalog } from "@/lib/gateway/catalog";
import { recordAudit } from "@/lib/audit";
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
      const channel = await db.$transaction(async (tx) => {
        const found = await tx.upstreamChannel.findUnique({ where: { name }, select: { id: true } });
        if (!found) throw new CliError(`No channel named "${name}".`);
        const updated = await tx.upstreamChannel.update({ where: { id: found.id }, data: { enabled }, select: { id: true, name: true, enabled: true } });
        await recordAudit(tx, {
          actor: { label: "cli" },
          action: enabled ? "channel.enabled" : "channel.disabled",
          targetType: "upstream_channel",
          targetId: found.id,
          details: { name },
        });
        return updated;
      });
      invalidateCatalog();
      return { data: { channel }, text: `Channel "${channel.name}" is ${enabled ? "enabled" : "disabled"}.` };
    },
  };
}

export const channelEnableCommand = toggle(true);
export const channelDisableCommand = toggle(false);
