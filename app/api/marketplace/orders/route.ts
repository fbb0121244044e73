import { after } from "next/server";
import { getSecrets } from "@/lib/config";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { mailNewOrderLink, receiveMarketplaceEvent } from "@/lib/marketplace";

export const dynamic = "force-dynamic";

// POST /api/marketplace/orders — the marketplace's webhook. The body is read raw: the signature
// covers the exact bytes. Everything else (verification, idempotency, applying) is lib/marketplace.
export async function POST(request: Request) {
  const db = getDb();
  const answer = await receiveMarketplaceEvent(db, {
    rawBody: await request.text(),
    signature: request.headers.get("x-marketplace-signature"),
    secret: getSecrets().webhookSecret,
    keys: getSecretKeys(),
  });
  const created = answer.created;
  if (created) after(() => mailNewOrderLink(db, { email: created.email, orderId: created.orderId }));
  return Response.json(answer.body, { status: answer.status, headers: { "cache-control": "no-store" } });
}
