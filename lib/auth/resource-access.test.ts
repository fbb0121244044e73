import { afterAll, beforeAll, expect, it } from "vitest";
import { createAccounts, type Accounts } from "@/test/accounts";
import { describeEachEngine, createTestDatabase, type TestDatabase } from "@/test/databases";
import { expectNotFound } from "@/test/next-interrupts";
import { requireApiKeyAccess, requireCustomerAccess, requireOrderAccess, requireTicketAccess } from "./resource-access";

describeEachEngine("resource access", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
  });
  afterAll(() => t?.drop());

  it("gives a buyer their own order, key, ticket and account", async () => {
    const db = t.db.prisma;
    const { alice } = a;
    expect(await requireOrderAccess(db, alice.user, alice.orderId)).toMatchObject({
      id: alice.orderId,
      customerId: alice.user.customerId,
      marketplaceOrderId: "T-ALICE-1",
    });
    expect(await requireApiKeyAccess(db, alice.user, alice.apiKeyId)).toMatchObject({
      id: alice.apiKeyId,
      orderId: alice.orderId,
      customerId: alice.user.customerId,
    });
    expect(await requireTicketAccess(db, alice.user, alice.ticketId)).toMatchObject({ id: alice.ticketId, customerId: alice.user.customerId });
    expect(await requireCustomerAccess(db, alice.user, alice.user.customerId ?? "")).toMatchObject({ id: alice.user.customerId });
  });

  it("answers 404, not 403, when a buyer asks for another buyer's objects", async () => {
    const db = t.db.prisma;
    const { alice, bob } = a;
    await expectNotFound(requireOrderAccess(db, alice.user, bob.orderId));
    await expectNotFound(requireApiKeyAccess(db, alice.user, bob.apiKeyId));
    await expectNotFound(requireTicketAccess(db, alice.user, bob.ticketId));
    await expectNotFound(requireCustomerAccess(db, alice.user, bob.user.customerId ?? ""));
  });

  it("answers the same 404 for ids that do not exist", async () => {
    const db = t.db.prisma;
    const { alice } = a;
    for (const id of ["does-not-exist", "", "x".repeat(500)]) {
      await expectNotFound(requireOrderAccess(db, alice.user, id));
      await expectNotFound(requireApiKeyAccess(db, alice.user, id));
      await expectNotFound(requireTicketAccess(db, alice.user, id));
    }
  });

  it("gives a buyer without an account nothing, without reaching the database with an empty filter", async () => {
    const db = t.db.prisma;
    const { newcomer, alice } = a;
    expect(newcomer.customerId).toBeNull();
    await expectNotFound(requireOrderAccess(db, newcomer, alice.orderId));
    await expectNotFound(requireApiKeyAccess(db, newcomer, alice.apiKeyId));
    await expectNotFound(requireTicketAccess(db, newcomer, alice.ticketId));
    await expectNotFound(requireCustomerAccess(db, newcomer, alice.user.customerId ?? ""));
  });

  it("lets support agents and admins see every account", async () => {
    const db = t.db.prisma;
    for (const staff of [a.support, a.admin]) {
      for (const buyer of [a.alice, a.bob]) {
        expect((await requireOrderAccess(db, staff, buyer.orderId)).id).toBe(buyer.orderId);
        expect((await requireApiKeyAccess(db, staff, buyer.apiKeyId)).id).toBe(buyer.apiKeyId);
        expect((await requireTicketAccess(db, staff, buyer.ticketId)).id).toBe(buyer.ticketId);
        expect((await requireCustomerAccess(db, staff, buyer.user.customerId ?? "")).id).toBe(buyer.user.customerId);
      }
    }
  });

  it("never returns a key's secrets", async () => {
    const key = await requireApiKeyAccess(t.db.prisma, a.alice.user, a.alice.apiKeyId);
    expect(Object.keys(key).sort()).toEqual(["createdAt", "customerId", "id", "lastFour", "name", "orderId", "prefix", "status"]);
  });
});
