import { seed } from "@/lib/seed";
import type { Command } from "../command";

export const seedCommand: Command = {
  path: ["seed"],
  summary: "Add model prices, plans and demo data that are missing (safe to run again).",
  usage: "seed [--no-demo]",
  help: "  --no-demo  prices and plans only: no demo users, orders, tickets or requests",
  options: { "no-demo": { type: "boolean" } },
  async run(ctx, { values }) {
    const result = await seed(ctx.database().prisma, ctx.secrets(), { demo: values["no-demo"] !== true });
    return {
      data: { ...result },
      text: `Prices added: ${result.pricesCreated}. Plans added: ${result.plansCreated}. Demo data: ${result.demo ? "added" : "already there or skipped"}.`,
    };
  },
};
