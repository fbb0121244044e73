import "server-only";
import { getSignInSettings, type SignInSettings } from "@/lib/auth";
import { sendSignInLink, type DeliverSignInLink } from "@/lib/auth/send-sign-in-link";
import type { Prisma } from "@/lib/db";
import { logger } from "@/lib/server/logger";

const log = logger.child({ component: "marketplace" });

/**
 * Mails the buyer of a new marketplace order a sign-in link that lands on the order's page. A mail
 * failure is logged, never thrown: the order exists and the buyer can still ask for a link.
 */
export async function mailNewOrderLink(
  db: Prisma,
  input: { email: string; orderId: string },
  settings: SignInSettings = getSignInSettings(),
  deliver?: DeliverSignInLink,
): Promise<void> {
  try {
    const outcome = await sendSignInLink(db, { email: input.email, next: `/orders/${input.orderId}` }, settings, deliver);
    if (outcome !== "sent") log.warn({ email: input.email, orderId: input.orderId }, "no sign-in link sent for a new order");
  } catch (err) {
    log.error({ err, email: input.email, orderId: input.orderId }, "could not mail the sign-in link for a new order");
  }
}
