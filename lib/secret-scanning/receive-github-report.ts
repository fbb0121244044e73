import "server-only";
import { createHash } from "node:crypto";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { ERROR_TABLE, type ErrorCode } from "@/lib/errors";
import type { Notification } from "@/lib/mail";
import { logger } from "@/lib/server/logger";
import type { TicketDesk } from "@/lib/tickets";
import { checkKey } from "./check-key";
import { PublicKeysUnavailableError, type PublicKeyStore } from "./public-keys";
import { githubReportSchema, type GithubVerdict } from "./report-schema";
import { respondToLeak } from "./respond-to-leak";
import { verifyGithubSignature } from "./verify-signature";

/** GitHub batches a handful of matches per report; 256 KiB is far more than a full batch. */
export const MAX_REPORT_BYTES = 256 * 1024;

export interface ReportAnswer {
  status: number;
  body: GithubVerdict[] | { error: { code: ErrorCode; message: string } };
  /** The buyers' notices and the desk's ticket mail, to send after the answer. */
  mail: Notification[];
}

const log = logger.child({ component: "secret-scanning" });

function refuse(code: ErrorCode, message: string): ReportAnswer {
  return { status: ERROR_TABLE[code].status, body: { error: { code, message } }, mail: [] };
}

/** How GitHub identifies a token in our answer: its SHA-256 in hex, so the answer never repeats the secret. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const SIGNATURE_MESSAGES = {
  missing_signature: "The Github-Public-Key-Identifier and Github-Public-Key-Signature headers are required.",
  malformed_signature: "The Github-Public-Key-Identifier or Github-Public-Key-Signature header is not of the published form.",
  invalid_signature: "The signature does not verify against the published key with that identifier.",
} as const;

/**
 * One report from GitHub's secret-scanning partner program. The signature is checked over the raw
 * bytes before anything is parsed; an unsigned, wrongly signed, oversized or malformed report is
 * refused with a 4xx and changes nothing. Each match is then judged: a string that is not one of
 * our keys, fails the checksum or matches no key we issued is a false positive and touches
 * nothing; one of our keys is a true positive and is acted on once (`respondToLeak`).
 */
export async function receiveGithubReport(
  db: Prisma,
  input: {
    rawBody: Uint8Array;
    keyId: string | null;
    signature: string | null;
    store: PublicKeyStore;
    keys: SecretKeys;
    desk: TicketDesk;
    now?: Date;
  },
): Promise<ReportAnswer> {
  if (input.rawBody.byteLength > MAX_REPORT_BYTES) return refuse("request_too_large", `The body is larger than ${MAX_REPORT_BYTES / 1024} KiB.`);
  let check;
  try {
    check = await verifyGithubSignature(input.rawBody, input.keyId, input.signature, input.store);
  } catch (err) {
    if (err instanceof PublicKeysUnavailableError)
      return refuse("service_unavailable", "The signing keys cannot be fetched right now; deliver the report again later.");
    throw err;
  }
  if (!check.ok) {
    log.warn({ problem: check.problem }, "refused a secret-scanning report");
    return refuse(check.problem, SIGNATURE_MESSAGES[check.problem]);
  }

  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(input.rawBody));
  } catch {
    return refuse("malformed_body", "The body is not UTF-8 JSON.");
  }
  const parsed = githubReportSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "body"}: ${i.message}`).join("; ");
    return refuse("malformed_body", `The report is not an array of {token, type, url, source}: ${detail}`.slice(0, 1000));
  }

  const verdicts: GithubVerdict[] = [];
  const mail: Notification[] = [];
  for (const match of parsed.data) {
    const found = await checkKey(db, match.token, input.keys);
    const verdict: GithubVerdict = { token_hash: tokenHash(match.token), token_type: match.type, label: found.key ? "true_positive" : "false_positive" };
    verdicts.push(verdict);
    if (!found.key) continue;
    const response = await respondToLeak(
      db,
      { apiKeyId: found.key.id, scanner: "github", tokenType: match.type, url: match.url ?? null, location: match.source ?? null },
      { keys: input.keys, desk: input.desk, now: input.now },
    );
    mail.push(...response.mail);
    log.warn({ keyId: found.key.id, lastFour: found.key.lastFour, firstReport: response.firstReport, url: match.url }, "a key of ours was reported leaked");
  }
  log.info({ matches: verdicts.length, truePositives: verdicts.filter((v) => v.label === "true_positive").length }, "answered a secret-scanning report");
  return { status: 200, body: verdicts, mail };
}
