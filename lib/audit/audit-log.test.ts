import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccounts, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { AUDIT_CSV_HEADER, auditCsvStream, auditListQuerySchema, listAuditEntries, recordAudit } from "./index";

describe("no application code changes or removes audit entries", () => {
  const ROOT = join(__dirname, "..", "..");
  function sourceFiles(path: string): string[] {
    const stat = statSync(path);
    if (stat.isFile()) return /\.(ts|tsx|mjs)$/.test(path) && !/\.test\.ts$/.test(path) ? [path] : [];
    return readdirSync(path)
      .filter((name) => name !== "node_modules" && name !== "generated")
      .flatMap((name) => sourceFiles(join(path, name)));
  }
  it("has no Prisma update/delete of auditLog and no SQL UPDATE/DELETE of audit_log", () => {
    const offenders: string[] = [];
    for (const file of ["app", "cli", "components", "lib", "scripts", "server.ts"].flatMap((p) => sourceFiles(join(ROOT, p)))) {
      const text = readFileSync(file, "utf8");
      if (/\bauditLog\s*\.\s*(update|updateMany|upsert|delete|deleteMany)\b/.test(text) || /\b(UPDATE|DELETE\s+FROM|TRUNCATE)\s+"?audit_log"?/i.test(text)) {
        offenders.push(relative(ROOT, file));
      }
    }
    expect(offenders).toEqual([]);
  });
});

describeEachEngine("the audit log", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    await recordAudit(t.db.prisma, {
      actor: { userId: a.admin.id, ip: "198.51.100.4" },
      action: "order.extended",
      targetType: "order",
      targetId: a.alice.orderId,
      details: { reason: '=cmd|" /C calc"!A0, with a comma' },
    });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("refuses UPDATE, DELETE and TRUNCATE in the database itself", async () => {
    const entry = await t.db.prisma.auditLog.findFirstOrThrow({ orderBy: { id: "asc" } });
    await expect(t.db.prisma.$executeRawUnsafe(`UPDATE audit_log SET action = 'forged' WHERE id = ${entry.id}`)).rejects.toThrow(/append-only/);
    await expect(t.db.prisma.$executeRawUnsafe(`DELETE FROM audit_log WHERE id = ${entry.id}`)).rejects.toThrow(/append-only/);
    await expect(t.db.prisma.$executeRawUnsafe(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    await expect(t.db.prisma.auditLog.deleteMany({})).rejects.toThrow();
    expect(await t.db.prisma.auditLog.findUniqueOrThrow({ where: { id: entry.id } })).toEqual(entry);
    // Appending still works.
    await recordAudit(t.db.prisma, { actor: { label: "system" }, action: "test.appended", targetType: "test", targetId: "1" });
  });

  it("filters by actor, action, target and time", async () => {
    const list = (filters: Record<string, string>) => listAuditEntries(t.db.prisma, { query: auditListQuerySchema.parse(filters), take: 1000 });
    const byAdmin = await list({ actor: "ADA@example" });
    expect(byAdmin.rows.length).toBeGreaterThan(0);
    for (const e of byAdmin.rows) expect(e.actor).toBe("ada@example.com");
    const byCli = await list({ actor: "cli" });
    expect(byCli.rows.length).toBeGreaterThan(0);
    for (const e of byCli.rows) expect(e.actor).toBe("cli");
    expect((await list({ action: "EXTENDED" })).rows.map((e) => e.action)).toEqual(["order.extended"]);
    const byTarget = await list({ target: a.alice.orderId });
    expect(byTarget.rows.length).toBeGreaterThanOrEqual(2);
    for (const e of byTarget.rows) expect(e.targetId).toBe(a.alice.orderId);
    expect((await list({ target: "api_key" })).rows.every((e) => e.targetType === "api_key")).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    expect((await list({ from: today, to: today })).rows.length).toBe((await list({})).rows.length);
    expect((await list({ to: "2000-01-01" })).rows).toEqual([]);
    expect((await list({ from: "2999-01-01" })).rows).toEqual([]);
    // Malformed filters are ignored, not errors.
    expect(auditListQuerySchema.parse({ from: "yesterday", to: ["a", "b"] })).toMatchObject({ from: "", to: "" });
  });

  it("exports the filtered entries as CSV, guarded and escaped", async () => {
    const stream = auditCsvStream(t.db.prisma, auditListQuerySchema.parse({ action: "order.extended" }));
    const text = await new Response(stream).text();
    const lines = text.split("\r\n");
    expect(lines[0]).toBe(AUDIT_CSV_HEADER.join(","));
    expect(text).toContain("ada@example.com");
    expect(text).toContain("order.extended");
    // The JSON details start with "{", but the reason inside is quoted and its quotes doubled.
    expect(text).toContain('"{""reason"":""=cmd|\\"" /C calc\\""!A0, with a comma""}"');
    expect(lines.filter((l) => l !== "")).toHaveLength(2);
  });
});
