import "server-only";
import type { ApiKeyStatus, SpendLimitPeriod } from "@/lib/db/types";
import type { Prisma } from "@/lib/db";

export interface OrderKeyView {
  id: string;
  name: string;
  lastFour: string;
  status: ApiKeyStatus;
  /** The one reveal is still available. */
  revealable: boolean;
  revealedAt: Date | null;
  handedOutAt: Date | null;
  replacedAt: Date | null;
  validUntil: Date | null;
  disabledAt: Date | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  /** The key's own limits (not secrets): shown on its card. */
  modelScope: string[];
  spendLimitMicros: bigint | null;
  spendLimitPeriod: SpendLimitPeriod;
  ipAllowlist: string[];
}

/** An order's keys for the buyer's page, newest first; deleted keys are left out. No secret leaves here. */
export async function listOrderKeys(db: Prisma, orderId: string): Promise<OrderKeyView[]> {
  const keys = await db.apiKey.findMany({
    where: { orderId, status: { not: "DELETED" } },
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      name: true,
      lastFour: true,
      status: true,
      revealCiphertext: true,
      revealedAt: true,
      handedOutAt: true,
      replacedAt: true,
      validUntil: true,
      disabledAt: true,
      expiresAt: true,
      lastUsedAt: true,
      createdAt: true,
      modelScope: true,
      spendLimitMicros: true,
      spendLimitPeriod: true,
      ipAllowlist: true,
    },
  });
  return keys.map(({ revealCiphertext, ...k }) => ({ ...k, revealable: revealCiphertext !== null && k.status === "ACTIVE" }));
}
