import { CliError, type Command } from "../command";

// Commands whose feature lands with a later part of the product. They are listed so scripts can
// discover them, and fail with a clear message rather than an "unknown command".
function notYet(path: string[], usage: string, summary: string, feature: string): Command {
  return {
    path,
    usage,
    summary: `${summary} (not available yet)`,
    options: { overlap: { type: "string" } },
    positionals: { min: 0, max: 1, names: ["ID"] },
    async run() {
      throw new CliError(`"${path.join(" ")}" is not available yet: it arrives with ${feature}.`, 1);
    },
  };
}

export const pendingCommands: Command[] = [
  notYet(["key", "rotate"], "key rotate ID [--overlap 1h]", "Rotate an API key", "key rotation in the buyer portal"),
  notYet(["webhook", "failed"], "webhook failed", "List marketplace events that could not be applied", "the marketplace webhook"),
  notYet(["webhook", "replay"], "webhook replay ID", "Apply a stored marketplace event again", "the marketplace webhook"),
];
