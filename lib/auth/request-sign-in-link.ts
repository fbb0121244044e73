import "server-only";
import type { Prisma } from "@/lib/db";
import { consumeRateLimit, type RateLimitRule } from "@/lib/limits";
import { logger } from "@/lib/server/logger";
import { sendSignInLink, type DeliverSignInLink } from "./send-sign-in-link";
import type { SignInRequest } from "./sign-in-request-schema";
import type { SignInSettings } from "./sign-in-settings";

/**
 * Sign-in link limits. Per address: enough for a few retries, too few to flood an inbox. Per
 * client IP: higher, because an office or a mobile carrier puts many people behind one address,
 * but low enough to stop one client from probing or mailing many addresses.
 *
 * They are counted by the app's rate limiter, in Redis when `REDIS_URL` is set, so they hold
 * across instances. If Redis cannot be reached, each instance counts for itself (the gateway's
 * rule for rate limits): a link costs no money, and refusing every sign-in during an outage
 * would lock out staff who need the console most then, while per-instance counts still bound
 * what one address or client can ask for.
 */
export const SIGN_IN_LINK_LIMITS = {
  perEmail: { name: "sign-in-link:email", points: 5, durationSeconds: 15 * 60 },
  perIp: { name: "sign-in-link:ip", points: 20, durationSeconds: 15 * 60 },
} as const satisfies Record<string, RateLimitRule>;

export type RequestSignInLinkResult = { status: "accepted" } | { status: "rate_limited"; retryAfterSeconds: number };

const log = logger.child({ component: "sign-in" });

/**
 * Handles a request for a sign-in link: applies the limits, then sends the link if the address
 * may sign in. The result is the same whether or not the address has an account, and with
 * `defer` (Next's `after`) the sending happens after the response, so neither the answer nor its
 * timing tells them apart. Without `defer` the sending is awaited (tests, scripts).
 * `ip` is the trusted client IP; when it is unknown only the per-address limit applies, since one
 * shared "unknown" bucket would let anyone lock everybody out.
 */
export async function requestSignInLink(
  db: Prisma,
  request: SignInRequest & { ip: string | null },
  settings: SignInSettings,
  options: { defer?: (task: () => Promise<void>) => void; deliver?: DeliverSignInLink } = {},
): Promise<RequestSignInLinkResult> {
  if (request.ip !== null) {
    const byIp = await consumeRateLimit(SIGN_IN_LINK_LIMITS.perIp, request.ip);
    if (!byIp.allowed) {
      log.warn({ ip: request.ip }, "sign-in link refused: too many requests from this IP");
      return { status: "rate_limited", retryAfterSeconds: byIp.retryAfterSeconds ?? SIGN_IN_LINK_LIMITS.perIp.durationSeconds };
    }
  }
  const byEmail = await consumeRateLimit(SIGN_IN_LINK_LIMITS.perEmail, request.email);
  if (!byEmail.allowed) {
    log.warn({ email: request.email, ip: request.ip }, "sign-in link refused: too many requests for this address");
    return { status: "rate_limited", retryAfterSeconds: byEmail.retryAfterSeconds ?? SIGN_IN_LINK_LIMITS.perEmail.durationSeconds };
  }

  const task = async () => {
    try {
      const outcome = await sendSignInLink(db, { email: request.email, next: request.next }, settings, options.deliver);
      if (outcome === "not_eligible") log.info({ email: request.email, ip: request.ip }, "no sign-in link sent: the address cannot sign in");
    } catch (err) {
      log.error({ err, email: request.email }, "could not send a sign-in link");
    }
  };
  if (options.defer) options.defer(task);
  else await task();
  return { status: "accepted" };
}
