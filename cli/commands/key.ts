import { deriveSecretKeys } from "@/lib/credentials";
import { KeyRotationError, parseOverlap, rotateApiKey } from "@/lib/keys";
import { CliError, type Command } from "../command";

export const keyRotateCommand: Command = {
  path: ["key", "rotate"],
  usage: "key rotate ID [--overlap 1h]",
  summary: "Replace an API key with a new one and print the new key once (the hand-out is audited).",
  help: [
    "  --overlap  how long the old key keeps working: 0 (default), 30m, 1h … 24h at most",
    "",
    "The new key is printed once and is not revealable in the portal: the buyer sees it as",
    "handed out by support. Give it to the buyer over a channel you trust.",
  ].join("\n"),
  options: { overlap: { type: "string" } },
  positionals: { min: 1, max: 1, names: ["ID"] },
  async run(ctx, { values, positionals }) {
    try {
      const overlapMs = typeof values.overlap === "string" ? parseOverlap(values.overlap) : 0;
      const rotated = await rotateApiKey(ctx.database().prisma, {
        keyId: positionals[0] ?? "",
        overlapMs,
        delivery: "handout",
        actor: { label: "cli" },
        keys: deriveSecretKeys(ctx.secrets().gatehouseSecret),
      });
      return {
        data: { oldKey: { id: rotated.oldKeyId, validUntil: rotated.validUntil }, apiKey: { id: rotated.newKeyId, key: rotated.key } },
        text: [
          `Key ${rotated.oldKeyId} replaced; it ${overlapMs > 0 ? `keeps working until ${rotated.validUntil.toISOString()}` : "is refused from now on"}.`,
          "",
          `New API key ${rotated.newKeyId} (shown only now): ${rotated.key}`,
        ].join("\n"),
      };
    } catch (err) {
      if (err instanceof KeyRotationError) throw new CliError(err.message, err.message.startsWith("The overlap") ? 2 : 1);
      throw err;
    }
  },
};
