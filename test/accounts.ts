import type { SessionUser } from "@/lib/auth/session-user";
import { deriveSecretKeys } from "@/lib/credentials";
import type { Prisma } from "@/lib/db";
import { createOrder } from "@/lib/orders";
import { seed } from "@/lib/seed";

// Two buyers with an order, key and ticket each, a buyer who has not bought yet, a support agent
// and an admin: the cast of the access-control tests.

export const TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

export interface BuyerFixture {
  user: SessionUser;
  orderId: string;
  apiKeyId: string;
  ticketId: string;
}

export interface Accounts {
  alice: BuyerFixture;
  bob: BuyerFixture;
  newcomer: SessionUser;
  support: SessionUser;
  admin: SessionUser;
}

async function sessionUser(db: Prisma, email: string): Promise<SessionUser> {
  return db.user.findUniqueOrThrow({ where: { email }, select: { id: true, email: true, name: true, role: true, customerId: true } });
}

async function buyer(db: Prisma, email: string, orderId: string): Promise<BuyerFixture> {
  const created = await createOrder(db, {
    email,
    planName: "Starter 30",
    marketplaceOrderId: orderId,
    source: "CLI",
    delivery: "handout",
    actor: { label: "cli" },
    keys: deriveSecretKeys(TEST_SECRET),
  });
  const ticket = await db.ticket.create({
    data: { customerId: created.customerId, orderId: created.order.id, openedById: created.userId, subject: `Question from ${email}` },
    select: { id: true },
  });
  return { user: await sessionUser(db, email), orderId: created.order.id, apiKeyId: created.apiKey.id, ticketId: ticket.id };
}

/** Seeds plans and prices (no demo data) and the cast above. */
export async function createAccounts(db: Prisma): Promise<Accounts> {
  await seed(db, { gatehouseSecret: TEST_SECRET }, { demo: false });
  const alice = await buyer(db, "alice@example.com", "T-ALICE-1");
  const bob = await buyer(db, "bob@example.com", "T-BOB-1");
  await db.user.createMany({
    data: [{ email: "newcomer@example.com" }, { email: "sam@example.com", role: "SUPPORT" }, { email: "ada@example.com", role: "ADMIN" }],
  });
  return {
    alice,
    bob,
    newcomer: await sessionUser(db, "newcomer@example.com"),
    support: await sessionUser(db, "sam@example.com"),
    admin: await sessionUser(db, "ada@example.com"),
  };
}
