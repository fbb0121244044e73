import { deriveSecretKeys } from "@/lib/credentials";
import { seed } from "@/lib/seed";
import { MAX_SEEDED_REQUESTS, SCALE_ACCOUNTS, seedRequestLogs } from "@/lib/seed/request-logs";
import { CliError, type Command } from "../command";

export const seedCommand: Command = {
  path: ["seed"],
  summary: "Add model prices, plans and demo data that are missing (safe to run again).",
  usage: "seed [--no-demo] [--requests N [--accounts K]]",
  help: [
    "  --no-demo     prices and plans only: no demo users, orders, tickets or requests",
    `  --requests N  also add N synthetic request logs (at most ${MAX_SEEDED_REQUESTS.toLocaleString("en-US")}) for ${SCALE_ACCOUNTS} scale`,
    "                accounts (scale-1@example.com … with orders SCALE-1 …), spread over the last 30",
    "                days, for checking the console at scale. PostgreSQL only (DATABASE_URL); the",
    "                embedded database is refused. Progress goes to stderr. Balances, the ledger and",
    "                daily rollups are not touched.",
    `  --accounts K  put the requests on the first K scale accounts only (1–${SCALE_ACCOUNTS}; default ${SCALE_ACCOUNTS}): --accounts 1`,
    "                gives scale-1@example.com all N, for checking one buyer's pages at scale",
  ].join("\n"),
  options: { "no-demo": { type: "boolean" }, requests: { type: "string" }, accounts: { type: "string" } },
  async run(ctx, { values }) {
    let requests: number | undefined;
    if (values.requests !== undefined) {
      const text = String(values.requests).replaceAll("_", "");
      requests = /^\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isInteger(requests) || requests < 1 || requests > MAX_SEEDED_REQUESTS) {
        throw new CliError(`--requests must be a whole number from 1 to ${MAX_SEEDED_REQUESTS} (got "${String(values.requests)}").`, 2);
      }
      if (ctx.config.database.kind !== "postgres") {
        throw new CliError("--requests needs PostgreSQL: set DATABASE_URL. The embedded database is for demos and tests, not a million rows.", 1);
      }
    }
    let accounts: number | undefined;
    if (values.accounts !== undefined) {
      accounts = /^\d+$/.test(String(values.accounts)) ? Number(values.accounts) : NaN;
      if (requests === undefined) throw new CliError("--accounts goes with --requests N.", 2);
      if (!Number.isInteger(accounts) || accounts < 1 || accounts > SCALE_ACCOUNTS) {
        throw new CliError(`--accounts must be a whole number from 1 to ${SCALE_ACCOUNTS} (got "${String(values.accounts)}").`, 2);
      }
    }
    const result = await seed(ctx.database().prisma, ctx.secrets(), { demo: values["no-demo"] !== true });
    const text = `Prices added: ${result.pricesCreated}. Plans added: ${result.plansCreated}. Demo data: ${result.demo ? "added" : "already there or skipped"}.`;
    if (requests === undefined) return { data: { ...result }, text };

    let lastReport = 0;
    const seeded = await seedRequestLogs(ctx.database().prisma, {
      count: requests,
      accounts,
      keys: deriveSecretKeys(ctx.secrets().gatehouseSecret),
      onProgress: (done, total) => {
        if (done === total || Date.now() - lastReport > 1000) {
          lastReport = Date.now();
          process.stderr.write(`request logs: ${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")}\n`);
        }
      },
    });
    return {
      data: { ...result, requests: seeded },
      text: [
        text,
        `Request logs added: ${seeded.inserted.toLocaleString("en-US")} in ${(seeded.ms / 1000).toFixed(1)} s, for ${seeded.accounts.map((a) => a.email).join(", ")}.`,
      ].join("\n"),
    };
  },
};
