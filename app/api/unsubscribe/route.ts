import { getDb } from "@/lib/db";
import { getUnsubscribeKey, turnOffNotifications, verifyUnsubscribeToken } from "@/lib/notifications";

export const dynamic = "force-dynamic";

// POST /api/unsubscribe?t=<token> – turns one kind of mail off for the account the signed token
// names. Mail clients post "List-Unsubscribe=One-Click" here (RFC 8058) and get a plain answer; the
// unsubscribe page's button is sent back to that page. No session: the token is the permission.
export async function POST(request: Request): Promise<Response> {
  const token = new URL(request.url).searchParams.get("t") ?? "";
  const found = verifyUnsubscribeToken(getUnsubscribeKey(), token);
  if (!found) return new Response("This unsubscribe link is not valid.\n", { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  await turnOffNotifications(getDb(), found.customerId, found.kind);
  const form = await request.formData().catch(() => null);
  if (form?.get("from") === "page") {
    return new Response(null, { status: 303, headers: { location: `/unsubscribe?t=${encodeURIComponent(token)}&done=1` } });
  }
  return new Response("Turned off.\n", { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
}
