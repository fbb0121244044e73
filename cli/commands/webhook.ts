import { deriveSecretKeys } from "@/lib/credentials";
import { listFailedWebhookEvents, mailNewOrderLink, replayWebhookEvent, WebhookReplayError } from "@/lib/marketplace";
import { CliError, table, type Command } from "../command";

export const webhookFailedCommand: Command = {
  path: ["webhook", "failed"],
  usage: "webhook failed",
  summary: "List marketplace events that could not be applied, with the reason.",
  async run(ctx) {
    const events = await listFailedWebhookEvents(ctx.database().prisma);
    return {
      data: { events },
      text:
        events.length === 0
          ? "No failed marketplace events."
          : table(
              ["ID", "EVENT", "ORDER", "RECEIVED", "TRIES", "REASON"],
              events.map((e) => [e.id, e.eventType, e.orderRef, e.receivedAt.toISOString(), String(e.attempts), e.reason ?? ""]),
            ),
    };
  },
};

export const webhookReplayCommand: Command = {
  path: ["webhook", "replay"],
  usage: "webhook replay ID",
  summary: "Apply a stored marketplace event again (after fixing what it needed, e.g. the plan).",
  positionals: { min: 1, max: 1, names: ["ID"] },
  async run(ctx, { positionals }) {
    const db = ctx.database().prisma;
    const id = positionals[0] ?? "";
    let answer;
    try {
      answer = await replayWebhookEvent(db, id, { keys: deriveSecretKeys(ctx.secrets().gatehouseSecret), actor: { label: "cli" } });
    } catch (err) {
      if (err instanceof WebhookReplayError) throw new CliError(err.message, 1);
      throw err;
    }
    if (answer.status !== 200) {
      const message = (answer.body.error as { message?: string } | undefined)?.message ?? "unknown reason";
      throw new CliError(`Event ${id} still cannot be applied: ${message}`, 1);
    }
    if (answer.created) await mailNewOrderLink(db, { email: answer.created.email, orderId: answer.created.orderId });
    return {
      data: { event: { id, ...answer.body } },
      text: `Event ${id} applied${answer.created ? `: order ${answer.created.marketplaceOrderId} created and a sign-in link mailed to ${answer.created.email}` : ""}.`,
    };
  },
};
