import { after } from "next/server";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { getGithubKeyStore, MAX_REPORT_BYTES, receiveGithubReport } from "@/lib/secret-scanning";
import { getTicketDesk, sendTicketMail } from "@/lib/tickets";

export const dynamic = "force-dynamic";

const HEADERS = { "cache-control": "no-store" };

// POST /api/secret-scanning/github — GitHub's secret-scanning partner reports. The body is read
// raw: the signature covers the exact bytes. Everything else is lib/secret-scanning.
export async function POST(request: Request) {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_REPORT_BYTES) {
    return Response.json(
      { error: { code: "request_too_large", message: `The body is larger than ${MAX_REPORT_BYTES / 1024} KiB.` } },
      { status: 413, headers: HEADERS },
    );
  }
  const db = getDb();
  const desk = getTicketDesk();
  const answer = await receiveGithubReport(db, {
    rawBody: new Uint8Array(await request.arrayBuffer()),
    keyId: request.headers.get("github-public-key-identifier"),
    signature: request.headers.get("github-public-key-signature"),
    store: getGithubKeyStore(),
    keys: getSecretKeys(),
    desk,
  });
  if (answer.mail.length > 0) after(() => sendTicketMail(answer.mail, desk.mail));
  return Response.json(answer.body, { status: answer.status, headers: HEADERS });
}
