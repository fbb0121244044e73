import "server-only";
import { recordAudit } from "@/lib/audit";
import type { SecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { invalidateKey } from "@/lib/gateway/key-cache";
import { rotateApiKeyInTransaction } from "@/lib/keys";
import type { Notification } from "@/lib/mail";
import { buyerTicketUrl, formatTicketNumber, openSystemTicket, type TicketDesk } from "@/lib/tickets";
import { leakDescription, leakNoticeMail, leakTicketSubject, type LeakNotice } from "./leak-mail";

export interface ReportedLeak {
  apiKeyId: string;
  scanner: "github";
  tokenType: string;
  url: string | null;
  /** The kind of content it was found in, as the scanner says (`content`, `commit`, `gist`…). */
  location: string | null;
}

export interface LeakResponse {
  /** False when the key had been reported before: nothing was done this time. */
  firstReport: boolean;
  /** The buyer's notice and the desk's new-ticket mail, to send after the answer. */
  mail: Notification[];
}

const SCANNER_NAMES = { github: "GitHub" } as const;

/**
 * What a confirmed leak of one of our keys sets off, once per key: the key is replaced with no
 * overlap (an already replaced key's overlap ends now), a high-priority "key exposed" ticket is
 * opened on the buyer's account, the audit log records the report, and the buyer's notice is
 * composed. All of it in one transaction that starts by claiming the key's row in
 * `leaked_key_reports`: a second report of the same key — a replay, or one arriving at the same
 * moment, which waits on the claim — finds the row and changes nothing. The gateway forgets the
 * old key on every instance once the transaction commits.
 */
export async function respondToLeak(db: Prisma, leak: ReportedLeak, ctx: { keys: SecretKeys; desk: TicketDesk; now?: Date }): Promise<LeakResponse> {
  const now = ctx.now ?? new Date();
  const scannerName = SCANNER_NAMES[leak.scanner];
  const done = await db.$transaction(async (tx) => {
    const claim = await tx.leakedKeyReport.createMany({
      data: [
        {
          apiKeyId: leak.apiKeyId,
          scanner: leak.scanner,
          url: leak.url,
          location: leak.location,
          tokenType: leak.tokenType,
          statusBefore: "",
          reportedAt: now,
        },
      ],
      skipDuplicates: true,
    });
    if (claim.count === 0) return null;
    // Holds the key's row until commit: an enable, disable or rotation racing this report waits
    // for it, then sees the report (an enable is refused) or the replaced key.
    await tx.$queryRaw`SELECT "id" FROM "api_keys" WHERE "id" = ${leak.apiKeyId} FOR UPDATE`;

    const key = await tx.apiKey.findUniqueOrThrow({
      where: { id: leak.apiKeyId },
      select: {
        id: true,
        hmac: true,
        status: true,
        lastFour: true,
        validUntil: true,
        orderId: true,
        order: {
          select: {
            marketplaceOrderId: true,
            customerId: true,
            customer: { select: { users: { select: { id: true, email: true }, orderBy: { createdAt: "asc" } } } },
          },
        },
      },
    });

    let outcome: LeakNotice["outcome"] = "not_in_use";
    let newKey: { id: string; lastFour: string; hmac: string } | null = null;
    if (key.status === "ACTIVE") {
      const rotated = await rotateApiKeyInTransaction(tx, {
        keyId: key.id,
        overlapMs: 0,
        delivery: "reveal",
        actor: { label: "system" },
        reason: `Found in public by ${scannerName} secret scanning`,
        keys: ctx.keys,
        now,
      });
      newKey = { id: rotated.newKeyId, lastFour: rotated.lastFour, hmac: rotated.newHmac };
      outcome = "replaced";
    } else if (key.status === "REPLACED" && key.validUntil !== null && key.validUntil > now) {
      await tx.apiKey.update({ where: { id: key.id }, data: { validUntil: now } });
      outcome = "overlap_ended";
    }

    const notice: LeakNotice = {
      scannerName,
      url: leak.url,
      lastFour: key.lastFour,
      orderLabel: key.order.marketplaceOrderId,
      orderId: key.orderId,
      outcome,
      newLastFour: newKey?.lastFour ?? null,
      ticket: null,
    };
    const buyers = key.order.customer.users;
    const opener = buyers[0];
    let ticket: { id: string; number: number; mail: Notification[] } | null = null;
    if (opener) {
      ticket = await openSystemTicket(
        tx,
        {
          customerId: key.order.customerId,
          userId: opener.id,
          category: "KEY_EXPOSED",
          subject: leakTicketSubject(notice),
          body: `${leakDescription(ctx.desk.publicUrl, notice)}\n\n(Opened automatically from a ${scannerName} secret-scanning report.)`,
          orderId: key.orderId,
          orderLabel: key.order.marketplaceOrderId,
          now,
        },
        ctx.desk,
      );
      notice.ticket = { label: formatTicketNumber(ticket.number), url: buyerTicketUrl(ctx.desk.publicUrl, ticket.number) };
    }

    await tx.leakedKeyReport.update({
      where: { apiKeyId: key.id },
      data: { statusBefore: key.status, newKeyId: newKey?.id ?? null, ticketId: ticket?.id ?? null },
    });
    await recordAudit(tx, {
      actor: { label: "system" },
      action: "api_key.leak_reported",
      targetType: "api_key",
      targetId: key.id,
      details: {
        scanner: leak.scanner,
        url: leak.url,
        location: leak.location,
        tokenType: leak.tokenType,
        orderId: key.orderId,
        lastFour: key.lastFour,
        statusBefore: key.status,
        outcome,
        ...(newKey ? { newKeyId: newKey.id, newLastFour: newKey.lastFour } : {}),
        ...(ticket ? { ticket: ticket.number } : {}),
      },
    });

    const buyerMail = buyers.map((buyer) => leakNoticeMail(ctx.desk.publicUrl, buyer.email, notice));
    return { hmac: key.hmac, newHmac: newKey?.hmac ?? null, mail: [...buyerMail, ...(ticket?.mail ?? [])] };
  });
  if (!done) return { firstReport: false, mail: [] };
  // Only now that it is committed: here at once, on the other instances through the cache bus.
  invalidateKey(done.hmac);
  if (done.newHmac) invalidateKey(done.newHmac);
  return { firstReport: true, mail: done.mail };
}
