import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditListQuerySchema, listAuditEntries } from "@/lib/audit";
import { deriveSecretKeys } from "@/lib/credentials";
import { createOrder, listCustomerOrders, listRecentOrders, orderListQuerySchema, ORDER_SORT_KEYS } from "@/lib/orders";
import { listUsers, userListQuerySchema } from "@/lib/users";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { createTestDatabase, type TestDatabase } from "@/test/databases";

// Walking a list page by page, in every allow-listed order, must show each row exactly once and
// in the same order as one unpaged query: the keyset conditions match the orderBy.

async function walk<Row>(fetchPage: (cursor: string | null) => Promise<{ rows: Row[]; nextCursor: string | null }>): Promise<Row[]> {
  const all: Row[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page = await fetchPage(cursor);
    all.push(...page.rows);
    if (page.nextCursor === null) return all;
    cursor = page.nextCursor;
  }
  throw new Error("the pages never ended");
}

describe("paged lists", () => {
  let t: TestDatabase;
  let a: Accounts;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    a = await createAccounts(t.db.prisma);
    // More orders for Alice, all ending together so the id has to break the tie.
    const end = new Date("2026-12-31T00:00:00Z");
    for (const [i, start] of ["2026-01-01", "2026-03-01", "2026-02-01"].entries()) {
      await createOrder(t.db.prisma, {
        email: "alice@example.com",
        planName: i === 0 ? "Pro 30" : "Starter 30",
        marketplaceOrderId: `MP-PAGE-${i}`,
        source: "MARKETPLACE",
        delivery: "reveal",
        actor: { label: "webhook" },
        keys: deriveSecretKeys(TEST_SECRET),
        accessStart: new Date(`${start}T00:00:00Z`),
        accessEnd: end,
      });
    }
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("users: every sort, both directions", async () => {
    for (const sort of ["role", "email", "since"] as const) {
      for (const dir of ["asc", "desc"] as const) {
        const base = userListQuerySchema.parse({ sort, dir });
        const whole = (await listUsers(t.db.prisma, { query: base, take: 100 })).rows.map((u) => u.email);
        const paged = (await walk((cursor) => listUsers(t.db.prisma, { query: { ...base, cursor }, take: 2 }))).map((u) => u.email);
        expect(paged, `${sort} ${dir}`).toEqual(whole);
        expect(new Set(paged).size).toBe(whole.length);
      }
    }
    // The default keeps staff first, then addresses in order.
    const first = await listUsers(t.db.prisma, { query: userListQuerySchema.parse({}) });
    expect(first.rows.map((u) => u.role)).toEqual(["ADMIN", "SUPPORT", "BUYER", "BUYER", "BUYER"]);
  });

  it("orders: the console's and a buyer's, every sort, both directions, with a filter", async () => {
    for (const sort of ORDER_SORT_KEYS) {
      for (const dir of ["asc", "desc"] as const) {
        const base = orderListQuerySchema.parse({ sort, dir });
        const whole = (await listRecentOrders(t.db.prisma, { query: base, take: 100 })).rows.map((o) => o.marketplaceOrderId);
        expect(whole).toHaveLength(5);
        const paged = await walk((cursor) => listRecentOrders(t.db.prisma, { query: { ...base, cursor }, take: 2 }));
        expect(
          paged.map((o) => o.marketplaceOrderId),
          `${sort} ${dir}`,
        ).toEqual(whole);
        const own = await walk((cursor) => listCustomerOrders(t.db.prisma, { customerId: a.alice.user.customerId!, query: { ...base, cursor }, take: 1 }));
        expect(own.map((o) => o.marketplaceOrderId)).toEqual(whole.filter((id) => id !== "T-BOB-1"));
      }
    }
    const filtered = await listRecentOrders(t.db.prisma, { query: orderListQuerySchema.parse({ q: "mp-page" }) });
    expect(filtered.rows.map((o) => o.marketplaceOrderId).sort()).toEqual(["MP-PAGE-0", "MP-PAGE-1", "MP-PAGE-2"]);
  });

  it("audit log: both directions, and a filter", async () => {
    for (const dir of ["asc", "desc"] as const) {
      const base = auditListQuerySchema.parse({ dir });
      const whole = (await listAuditEntries(t.db.prisma, { query: base, take: 1000 })).rows.map((e) => e.id);
      expect(whole.length).toBeGreaterThan(3);
      const paged = await walk((cursor) => listAuditEntries(t.db.prisma, { query: { ...base, cursor }, take: 3 }));
      expect(paged.map((e) => e.id)).toEqual(whole);
    }
    const filtered = await listAuditEntries(t.db.prisma, { query: auditListQuerySchema.parse({ q: "HANDED_OUT" }) });
    expect(filtered.rows.length).toBeGreaterThan(0);
    for (const entry of filtered.rows) expect(entry.action).toBe("api_key.handed_out");
  });
});
