import { deriveSecretKeys } from "@/lib/credentials";
import { createOrder } from "@/lib/orders";
import { CliError, optionalNumber, requireString, type Command } from "../command";

export const orderCreateCommand: Command = {
  path: ["order", "create"],
  summary: "Create an order and print its API key once (the hand-out is audited).",
  usage: "order create --email EMAIL --plan NAME [--starts ISO] [--days N] [--order-id ID]",
  help: [
    "  --starts    when access starts (ISO 8601, default now)",
    "  --days      access length in days (default: the plan's duration)",
    "  --order-id  the marketplace order id to record (default: a new CLI-... id)",
    "",
    "The key is printed once and is not revealable in the portal afterwards: the buyer sees it",
    "as handed out by support. Give it to the buyer over a channel you trust.",
  ].join("\n"),
  options: { email: { type: "string" }, plan: { type: "string" }, starts: { type: "string" }, days: { type: "string" }, "order-id": { type: "string" } },
  async run(ctx, { values }) {
    let accessStart: Date | undefined;
    if (typeof values.starts === "string") {
      accessStart = new Date(values.starts);
      if (Number.isNaN(accessStart.getTime())) throw new CliError(`--starts must be an ISO 8601 date-time (got "${values.starts}").`, 2);
    }
    const created = await createOrder(ctx.database().prisma, {
      email: requireString(values, "email"),
      planName: requireString(values, "plan"),
      marketplaceOrderId: typeof values["order-id"] === "string" ? values["order-id"] : undefined,
      accessStart,
      days: optionalNumber(values, "days"),
      source: "CLI",
      delivery: "handout",
      actor: { label: "cli" },
      keys: deriveSecretKeys(ctx.secrets().gatehouseSecret),
    });
    const { order, plan, apiKey } = created;
    return {
      data: {
        order: { id: order.id, marketplaceOrderId: order.marketplaceOrderId, plan: plan.name, accessStart: order.accessStart, accessEnd: order.accessEnd },
        apiKey: { id: apiKey.id, key: apiKey.key },
      },
      text: [
        `Order ${order.marketplaceOrderId} (${plan.name}) for ${requireString(values, "email")}`,
        `Access: ${order.accessStart.toISOString()} -> ${order.accessEnd.toISOString()}`,
        "",
        `API key (shown only now): ${apiKey.key}`,
      ].join("\n"),
    };
  },
};
