"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { z } from "zod";
import { requireApiKeyAccess, requireUser } from "@/lib/auth";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { KeyRotationError, revealApiKey, rotateApiKey } from "@/lib/keys";
import { clientIpFromHeaders } from "@/lib/server/client-ip";

export type RevealKeyState = { status: "revealed"; key: string } | { status: "already_revealed" } | { status: "not_revealable" } | { status: "invalid" };

export type RotateKeyState = { status: "idle" } | { status: "rotated"; newKeyId: string } | { status: "error"; message: string };

const keyIdSchema = z.string().min(1).max(100);
const OVERLAPS = { none: 0, "1h": 3_600_000, "24h": 86_400_000 } as const;
const rotateSchema = z.object({ keyId: keyIdSchema, overlap: z.enum(["none", "1h", "24h"]).default("none") });

/**
 * The buyer's own key, or a 404. Staff pass requireApiKeyAccess (they may see every account) but
 * revealing or rotating a buyer's key is the buyer's act alone.
 */
async function ownKey(keyId: string) {
  const user = await requireUser();
  const key = await requireApiKeyAccess(getDb(), user, keyId);
  if (!user.customerId || key.customerId !== user.customerId) notFound();
  return { user, key, customerId: user.customerId };
}

// Order page > Credential card > Reveal. The plaintext goes to this one response only.
export async function revealKeyAction(input: { keyId: string }): Promise<RevealKeyState> {
  const parsed = z.object({ keyId: keyIdSchema }).safeParse(input);
  if (!parsed.success) return { status: "invalid" };
  const { user, key, customerId } = await ownKey(parsed.data.keyId);
  const result = await revealApiKey(getDb(), {
    keyId: key.id,
    customerId,
    actor: { userId: user.id, ip: clientIpFromHeaders(await headers()) },
    keys: getSecretKeys(),
  });
  if (result.status === "revealed") return { status: "revealed", key: result.key };
  return { status: result.status };
}

// Order page > Credential card > Rotate, when the plan lets buyers rotate their own keys.
export async function rotateKeyAction(_previous: RotateKeyState, formData: FormData): Promise<RotateKeyState> {
  const parsed = rotateSchema.safeParse({ keyId: formData.get("keyId"), overlap: formData.get("overlap") ?? undefined });
  if (!parsed.success) return { status: "error", message: "Choose how long the old key may keep working: none, 1 hour or 24 hours." };
  const { user, key, customerId } = await ownKey(parsed.data.keyId);
  const db = getDb();
  const plan = await db.order.findUniqueOrThrow({ where: { id: key.orderId }, select: { plan: { select: { selfRotate: true } } } });
  if (!plan.plan.selfRotate) return { status: "error", message: "Your plan does not include rotating keys yourself. Ask support for a rotation." };
  try {
    const rotated = await rotateApiKey(db, {
      keyId: key.id,
      customerId,
      overlapMs: OVERLAPS[parsed.data.overlap],
      delivery: "reveal",
      actor: { userId: user.id, ip: clientIpFromHeaders(await headers()) },
      keys: getSecretKeys(),
    });
    revalidatePath(`/orders/${key.orderId}`);
    return { status: "rotated", newKeyId: rotated.newKeyId };
  } catch (err) {
    if (err instanceof KeyRotationError) return { status: "error", message: "This key was already replaced. Reload the page to see the current one." };
    throw err;
  }
}
