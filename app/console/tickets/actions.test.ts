import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { resetConfig } from "@/lib/config";
import { setDatabase } from "@/lib/db";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { agentMessageAction, rotateFromTicketAction, updateTicketAction } from "./actions";

// The console's ticket actions called directly, as a crafted POST would call them.
vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
const deferred = vi.hoisted(() => ({ tasks: [] as (() => unknown)[] }));
vi.mock("next/server", () => ({ after: (task: () => unknown) => void deferred.tasks.push(task) }));

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

describeEachEngine("console ticket actions", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  let number: number;
  let lastFour: string;
  beforeAll(async () => {
    vi.stubEnv("GATEHOUSE_SECRET", TEST_SECRET);
    vi.stubEnv("AUTH_SECRET", TEST_SECRET);
    vi.stubEnv("MARKETPLACE_WEBHOOK_SECRET", TEST_SECRET);
    vi.stubEnv("GATEHOUSE_DATA_DIR", mkdtempSync(join(tmpdir(), "gatehouse-ticket-actions-")));
    resetConfig();
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
    number = (await t.db.prisma.ticket.findUniqueOrThrow({ where: { id: a.alice.ticketId } })).number;
    lastFour = (await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: a.alice.apiKeyId } })).lastFour;
  });
  afterAll(async () => {
    setDatabase(undefined);
    await t?.drop();
    vi.unstubAllEnvs();
    resetConfig();
  });
  beforeEach(() => {
    signedInAs.userId = null;
    deferred.tasks.length = 0;
  });

  const snapshot = async () => ({
    ticket: await t.db.prisma.ticket.findUniqueOrThrow({ where: { number }, select: { status: true, priority: true, assigneeId: true } }),
    messages: await t.db.prisma.ticketMessage.count({ where: { ticket: { number } } }),
    key: (await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: a.alice.apiKeyId } })).status,
    audit: await t.db.prisma.auditLog.count({ where: { action: { startsWith: "ticket." } } }),
  });
  const attempts = () => [
    agentMessageAction({ status: "idle" }, form({ number: String(number), body: "Hello from a crafted post" })),
    updateTicketAction({ status: "idle" }, form({ number: String(number), status: "CLOSED", priority: "URGENT", assigneeId: "" })),
    rotateFromTicketAction({ status: "idle" }, form({ number: String(number), keyId: a.alice.apiKeyId, lastFour, overlap: "none" })),
  ];

  it("sends a signed-out caller to sign in, and changes nothing", async () => {
    const before = await snapshot();
    for (const attempt of attempts()) await expectRedirect(attempt, "/signin");
    expect(await snapshot()).toEqual(before);
  });

  it("answers a buyer with 404 — even the ticket's own buyer — and changes nothing", async () => {
    const before = await snapshot();
    for (const user of [a.alice.user, a.bob.user]) {
      signedInAs.userId = user.id;
      for (const attempt of attempts()) await expectNotFound(attempt);
    }
    expect(await snapshot()).toEqual(before);
    expect(deferred.tasks).toEqual([]);
  });

  it("lets support reply, and refuses a body that is too long with a clear message", async () => {
    signedInAs.userId = a.support.id;
    const tooLong = await agentMessageAction({ status: "idle" }, form({ number: String(number), body: "x".repeat(10_001) }));
    expect(tooLong).toMatchObject({ status: "error", fieldErrors: { body: [expect.stringContaining("10,000 characters")] } });
    const sent = await agentMessageAction({ status: "idle" }, form({ number: String(number), body: "We are looking into it." }));
    expect(sent).toEqual({ status: "success", message: "Reply sent to the buyer." });
    // The buyer's mail is sent after the response.
    expect(deferred.tasks).toHaveLength(1);
    const entry = await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "ticket.replied" }, orderBy: { id: "desc" } });
    expect(entry).toMatchObject({ actorId: a.support.id, ip: "203.0.113.9" });
    expect(entry.details).toMatchObject({ ticket: number });
  });
});
