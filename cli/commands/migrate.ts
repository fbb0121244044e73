import { applyMigrations } from "@/lib/db/migrate";
import type { Command } from "../command";

export const migrateCommand: Command = {
  path: ["migrate"],
  summary: "Apply pending database migrations (safe to run again).",
  usage: "migrate",
  async run(ctx) {
    const db = ctx.database();
    const applied = await applyMigrations(db);
    return {
      data: { applied, database: db.kind },
      text: applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "The database is up to date.",
    };
  },
};
