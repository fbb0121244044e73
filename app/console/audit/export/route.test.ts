import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { recordAudit } from "@/lib/audit";
import { setDatabase } from "@/lib/db";
import { createAccounts, type Accounts } from "@/test/accounts";
import { describeEachEngine, createTestDatabase, type TestDatabase } from "@/test/databases";
import { signedInAs } from "@/test/session-seam";
import { GET } from "./route";

vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());

describeEachEngine("console: audit log CSV export", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
    await recordAudit(t.db.prisma, {
      actor: { userId: a.admin.id },
      action: "order.extended",
      targetType: "order",
      targetId: a.bob.orderId,
      details: { reason: "@SUM(1+1)" },
    });
  });
  afterAll(async () => {
    setDatabase(undefined);
    await t?.drop();
  });
  beforeEach(() => {
    signedInAs.userId = null;
  });

  const get = (query = "") => GET(new Request(`http://localhost/console/audit/export${query}`, { headers: { "x-gatehouse-client-ip": "198.51.100.2" } }));
  const exports = () => t.db.prisma.auditLog.count({ where: { action: "audit_log.exported" } });

  it("answers 404 to the signed-out, buyers and support, and records nothing", async () => {
    for (const who of [null, a.alice.user.id, a.support.id]) {
      signedInAs.userId = who;
      const response = await get();
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain("order.");
    }
    expect(await exports()).toBe(0);
  });

  it("streams the filtered entries to an admin as CSV, and audits the export", async () => {
    signedInAs.userId = a.admin.id;
    const response = await get(`?action=extended&target=${a.bob.orderId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await response.text()).split("\r\n").filter(Boolean);
    expect(lines[0]).toBe("id,time_utc,actor,ip,action,target_type,target_id,details");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`ada@example.com,,order.extended,order,${a.bob.orderId},`);
    expect(await exports()).toBe(1);
    expect(await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "audit_log.exported" } })).toMatchObject({
      actorId: a.admin.id,
      ip: "198.51.100.2",
      details: { dir: "desc", action: "extended", target: a.bob.orderId },
    });
  });
});
