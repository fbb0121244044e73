import { getDb } from "@/lib/db";
import { getUnsubscribeKey, turnOffNotifications, verifyUnsubscribeToken } from "@/lib/notifications";
import { readLimitedBody } from "@/lib/server/read-limited-body";

/** The body is a one-field form ("List-Unsubscribe=One-Click", or the page's "from=page"). */
const MAX_FORM_BYTES = 4 * 1024;

/** The posted form, read up to MAX_FORM_BYTES; null when there is none, it is larger, or it is no form. */
async function readSmallForm(request: Request): Promise<FormData | null> {
  const bytes = await readLimitedBody(request, MAX_FORM_BYTES).catch(() => null);
  if (bytes === null || bytes === "too_large") return null;
  return new Response(new Uint8Array(bytes), { headers: { "content-type": request.headers.get("content-type") ?? "" } }).formData().catch(() => null);
}

export const dynamic = "force-dynamic";

// POST /api/unsubscribe?t=<token> – turns one kind of mail off for the account the signed token
// names. Mail clients post "List-Unsubscribe=One-Click" here (RFC 8058) and get a plain answer; the
// unsubscribe page's button is sent back to that page. No session: the token is the permission.
export async function POST(request: Request): Promise<Response> {
  const token = new URL(request.url).searchParams.get("t") ?? "";
  const found = verifyUnsubscribeToken(getUnsubscribeKey(), token);
  if (!found) return new Response("This unsubscribe link is not valid.\n", { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  await turnOffNotifications(getDb(), found.customerId, found.kind);
  const form = await readSmallForm(request);
  if (form?.get("from") === "page") {
    return new Response(null, { status: 303, headers: { location: `/unsubscribe?t=${encodeURIComponent(token)}&done=1` } });
  }
  return new Response("Turned off.\n", { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
}
