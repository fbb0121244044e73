import type { Config } from "@/lib/config";
import type { Prisma } from "@/lib/db";
import { DEMO_USERS } from "@/lib/seed";
import { stdout } from "@/lib/server/stdio";

/** The lines `npm start` ends with: where to go and how to sign in. */
export async function printBanner(db: Prisma, config: Config, port: number) {
  const url = config.publicUrlIsDefault ? `http://localhost:${port}` : config.publicUrl;
  const demo = await db.user.findMany({ where: { email: { in: Object.values(DEMO_USERS) } }, select: { email: true, role: true }, orderBy: { role: "asc" } });
  const lines = ["", `Gatehouse is running: ${url}`, `  Gateway base URL for API clients: ${url}/v1 (Anthropic SDK and Claude Code: ${url})`];
  if (demo.length > 0) {
    lines.push(`  Demo users (enter one at ${url}/signin, then open the link it is sent):`);
    for (const u of demo) lines.push(`    ${u.role.padEnd(7)} ${u.email}`);
  }
  lines.push(
    config.smtpUrl
      ? "  Sign-in links are mailed through SMTP_URL."
      : "  No SMTP_URL: sign-in links are written to this log, on a line starting with [sign-in link].",
    `  Operations: npm run gatehouse -- --help    Stop: Ctrl+C`,
    "",
  );
  stdout.write(`${lines.join("\n")}\n`);
}
