import { after } from "next/server";
import { getSecrets } from "@/lib/config";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { handleMarketplaceWebhook, mailNewOrderLink } from "@/lib/marketplace";

export const dynamic = "force-dynamic";

// POST /api/marketplace/orders — the marketplace's webhook. The body is read raw (the signature
// covers the exact bytes), up to 64 KiB, after the per-IP rate limit. Everything else
// (limits, verification, idempotency, applying) is lib/marketplace.
export async function POST(request: Request) {
  const db = getDb();
  const answer = await handleMarketplaceWebhook(db, request, { secret: getSecrets().webhookSecret, keys: getSecretKeys() });
  const created = answer.created;
  if (created) after(() => mailNewOrderLink(db, { email: created.email, orderId: created.orderId }));
  return Response.json(answer.body, { status: answer.status, headers: { ...answer.headers, "cache-control": "no-store" } });
}
