import { deriveSecretKeys } from "@/lib/credentials";
import { KeyRotationError, parseOverlap, rotateApiKey } from "@/lib/keys";
import { checkKey } from "@/lib/secret-scanning";
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

export const keyCheckCommand: Command = {
  path: ["key", "check"],
  usage: "key check TOKEN",
  summary: "Say whether a string is one of our API keys: the format, the checksum, and the key's status.",
  help: [
    "Prints only whether TOKEN has our key format, whether its checksum holds and, for a key this",
    "installation issued, its id, last four, order and status (and whether it was reported leaked).",
    "The string itself is never printed. Use it on a string a scanner (gitleaks, trufflehog) found.",
  ].join("\n"),
  positionals: { min: 1, max: 1, names: ["TOKEN"] },
  async run(ctx, { positionals }) {
    const candidate = (positionals[0] ?? "").trim();
    const check = await checkKey(ctx.database().prisma, candidate, deriveSecretKeys(ctx.secrets().gatehouseSecret));
    const key = check.key;
    let text: string;
    if (!check.ours) text = "Not a Gatehouse key: it does not have the sk-gate- format (sk-gate- and 49 letters and digits).";
    else if (!check.checksumOk) text = "Gatehouse key format, but the checksum fails: a typo or a made-up string, never a key we issued.";
    else if (!key) text = "Gatehouse key format and checksum hold, but no key with this value was issued here (another installation's, or made up).";
    else {
      const status =
        key.status === "REPLACED" && key.validUntil && key.validUntil > new Date()
          ? `replaced, works until ${key.validUntil.toISOString()}`
          : key.status.toLowerCase();
      text = [
        `One of ours: key ${key.id} (…${key.lastFour}) on order ${key.orderId}.`,
        `Status: ${status}.${key.reportedLeaked ? " Reported leaked by a secret scanner." : ""}`,
      ].join("\n");
    }
    return {
      data: {
        key: {
          ours: check.ours,
          checksumOk: check.checksumOk,
          issued: key !== null,
          ...(key
            ? { id: key.id, lastFour: key.lastFour, orderId: key.orderId, status: key.status, validUntil: key.validUntil, reportedLeaked: key.reportedLeaked }
            : {}),
        },
      },
      text,
    };
  },
};
