import "server-only";
import { notFound } from "next/navigation";
import type { Prisma } from "@/lib/db";
import { isStaff } from "./roles";
import type { SessionUser } from "./session-user";

// Ownership checks for the objects a buyer can address by id. Each one puts the tenant into the
// query itself (`where: { id, customerId }`), so there is no window between a check and a read,
// and anything outside the caller's account is "not found": a 404, never a 403 that would confirm
// the id exists. Staff (SUPPORT, ADMIN) may see every account.

type AccessUser = Pick<SessionUser, "role" | "customerId">;

/**
 * The account filter for `user`: none for staff, the buyer's own account otherwise. A buyer
 * without an account owns nothing, so this stops with a 404 before any query; an undefined filter
 * must never reach Prisma, which would drop it and match every account.
 */
function accountScope(user: AccessUser): { customerId?: string } {
  if (isStaff(user)) return {};
  if (!user.customerId) notFound();
  return { customerId: user.customerId };
}

function validId(id: unknown): string {
  if (typeof id !== "string" || id.length === 0 || id.length > 100) notFound();
  return id;
}

/** The account (customer) `customerId`, if the user may see it. */
export async function requireCustomerAccess(db: Prisma, user: AccessUser, customerId: string) {
  const scope = accountScope(user);
  const id = validId(customerId);
  if (scope.customerId !== undefined && scope.customerId !== id) notFound();
  return (await db.customer.findUnique({ where: { id }, select: { id: true, name: true, createdAt: true } })) ?? notFound();
}

/** The order `orderId`, if it belongs to the user's account (or the user is staff). */
export async function requireOrderAccess(db: Prisma, user: AccessUser, orderId: string) {
  const order = await db.order.findFirst({
    where: { id: validId(orderId), ...accountScope(user) },
    select: {
      id: true,
      marketplaceOrderId: true,
      customerId: true,
      planId: true,
      accessStart: true,
      accessEnd: true,
      state: true,
      endedAt: true,
      source: true,
      createdAt: true,
    },
  });
  return order ?? notFound();
}

/** The API key `keyId`, if its order belongs to the user's account (or the user is staff). */
export async function requireApiKeyAccess(db: Prisma, user: AccessUser, keyId: string) {
  const key = await db.apiKey.findFirst({
    where: { id: validId(keyId), order: accountScope(user) },
    select: { id: true, orderId: true, name: true, prefix: true, lastFour: true, status: true, createdAt: true, order: { select: { customerId: true } } },
  });
  if (!key) notFound();
  const { order, ...rest } = key;
  return { ...rest, customerId: order.customerId };
}

/** The ticket `ticketId`, if it belongs to the user's account (or the user is staff). */
export async function requireTicketAccess(db: Prisma, user: AccessUser, ticketId: string) {
  const ticket = await db.ticket.findFirst({
    where: { id: validId(ticketId), ...accountScope(user) },
    select: { id: true, number: true, customerId: true, orderId: true, subject: true, status: true, category: true, priority: true, createdAt: true },
  });
  return ticket ?? notFound();
}
