// npm run gatehouse -- <command> [options] [--json]
// Runs an operations command against the configured database. With the embedded database and a
// server running, the server holds the data directory, so the command is sent to it over the
// data directory's control socket and runs there.
import "./log-to-stderr";
import { flushInvalidations } from "@/lib/cache-bus/invalidation-bus";
import { ConfigError, ensureSecrets, loadConfig, type Config, type Secrets } from "@/lib/config";
import { closeDatabase, getDatabase, type Database } from "@/lib/db";
import { dataDirHolder } from "@/lib/db/pglite-lock";
import { runShutdownHooks } from "@/lib/server/shutdown";
import { runCommand, type Output } from "./command";
import { commands } from "./commands";
import { sendToControlServer } from "./control-socket";

async function execute(argv: string[]): Promise<Output> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) return { exitCode: 1, stdout: "", stderr: `${err.message}\n` };
    throw err;
  }
  if (config.database.kind === "pglite" && dataDirHolder(config.dataDir) !== undefined) {
    const remote = await sendToControlServer(config.dataDir, argv);
    if (remote) return remote;
    return {
      exitCode: 1,
      stdout: "",
      stderr: `Process ${dataDirHolder(config.dataDir)} holds the embedded database in ${config.dataDir} but does not take commands. Stop it and try again.\n`,
    };
  }
  let secrets: Secrets | undefined;
  return runCommand(commands, argv, {
    config,
    database: (): Database => getDatabase(),
    secrets: () => (secrets ??= ensureSecrets(config)),
  });
}

async function main() {
  const output = await execute(process.argv.slice(2));
  process.stdout.write(output.stdout);
  process.stderr.write(output.stderr);
  // Tell the running instances about what the command changed, and let the usage writer and
  // spend store finish, before the process goes away.
  await flushInvalidations();
  await runShutdownHooks();
  await closeDatabase();
  // The pg pool and PGlite keep handles open; the command is done.
  process.exit(output.exitCode);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
