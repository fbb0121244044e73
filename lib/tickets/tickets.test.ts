import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveSecretKeys } from "@/lib/credentials";
import { resetRateLimit } from "@/lib/limits";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import {
  addAgentMessage,
  addBuyerReply,
  closeBuyerTicket,
  closeResolvedTickets,
  getAgentTicket,
  getBuyerTicket,
  listBuyerTickets,
  listTicketQueue,
  NEW_TICKET_LIMIT,
  openTicket,
  rotateKeyFromTicket,
  TicketError,
  TicketRateLimitedError,
  ticketQueueQuerySchema,
  buyerTicketQuerySchema,
  updateTicket,
  type TicketDesk,
} from "./index";

const DESK: TicketDesk = {
  publicUrl: "https://gate.example.com",
  emails: [],
  hours: { openMinute: 9 * 60, closeMinute: 17 * 60, timeZone: "UTC" },
  firstResponseHours: 4,
  mail: { smtpUrl: undefined, emailFrom: "Gatehouse <no-reply@example.com>", publicUrl: "https://gate.example.com" },
};

let requestSeq = 0;
function requestId(): string {
  return `req_${(++requestSeq).toString(16).padStart(24, "0")}`;
}

describeEachEngine("tickets", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  const db = () => t.db.prisma;
  const alice = () => ({ customerId: a.alice.user.customerId!, userId: a.alice.user.id });
  const audits = (action: string) => db().auditLog.findMany({ where: { action }, orderBy: { id: "asc" } });

  async function logRequest(customerId: string, orderId: string, keyId: string, extra: { status?: number; errorCode?: string } = {}) {
    const id = requestId();
    await db().requestLog.create({
      data: {
        requestId: id,
        customerId,
        orderId,
        apiKeyId: keyId,
        endpoint: "/v1/chat/completions",
        protocol: "openai",
        model: "gpt-4o-mini",
        status: extra.status ?? 200,
        errorCode: extra.errorCode,
        latencyMs: 12,
      },
    });
    return id;
  }

  async function open(overrides: Partial<Parameters<typeof openTicket>[1]> = {}, now?: Date) {
    // These tests open many tickets for one buyer; the limit has its own test below.
    await resetRateLimit(NEW_TICKET_LIMIT, alice().customerId);
    return openTicket(
      db(),
      {
        ...alice(),
        category: "ERROR",
        subject: "Requests fail",
        body: "Since noon every call returns 502.",
        orderId: a.alice.orderId,
        requestIds: [],
        now,
        ...overrides,
      },
      DESK,
    );
  }

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("opens a ticket on the buyer's own order with their own request ids; numbers read T-1001 and up; the desk is mailed", async () => {
    const failed = await logRequest(alice().customerId, a.alice.orderId, a.alice.apiKeyId, { status: 502, errorCode: "upstream_error" });
    // Friday 16:00 UTC with a 4-hour target: due Monday 12:00.
    const opened = await open({ requestIds: [failed] }, new Date("2026-12-04T16:00:00Z"));
    expect(opened.number).toBeGreaterThan(1000);
    const stored = await db().ticket.findUniqueOrThrow({ where: { id: opened.id } });
    expect(stored).toMatchObject({ status: "OPEN", priority: "NORMAL", requestIds: [failed], orderId: a.alice.orderId });
    expect(stored.firstResponseDueAt.toISOString()).toBe("2026-12-07T12:00:00.000Z");
    // No SUPPORT_EMAILS: every agent and admin.
    expect(opened.mail.map((m) => m.to).sort()).toEqual(["ada@example.com", "sam@example.com"]);
    expect(opened.mail[0]!.subject).toBe(`[T-${opened.number}] New ticket: Requests fail`);
    expect(opened.mail[0]!.text).toContain(`https://gate.example.com/console/tickets/${opened.number}`);
    const [audit] = (await audits("ticket.opened")).slice(-1);
    expect(audit).toMatchObject({ actorId: a.alice.user.id, targetId: opened.id });
    expect(audit!.details).toMatchObject({ ticket: opened.number });

    const view = await getBuyerTicket(db(), { customerId: alice().customerId, number: opened.number });
    expect(view?.requests).toEqual([expect.objectContaining({ requestId: failed, status: 502, errorCode: "upstream_error" })]);
  });

  it("refuses another account's order or request id, writing nothing", async () => {
    const bobsRequest = await logRequest(a.bob.user.customerId!, a.bob.orderId, a.bob.apiKeyId);
    const before = await db().ticket.count();
    await expect(open({ orderId: a.bob.orderId })).rejects.toMatchObject({ field: "orderId" });
    await expect(open({ requestIds: [bobsRequest] })).rejects.toMatchObject({ field: "requestIds" });
    await expect(open({ requestIds: [requestId()] })).rejects.toBeInstanceOf(TicketError);
    expect(await db().ticket.count()).toBe(before);
  });

  it("marks a reported leak high priority", async () => {
    const opened = await open({ category: "KEY_EXPOSED", subject: "My key is on GitHub" });
    expect((await db().ticket.findUniqueOrThrow({ where: { id: opened.id } })).priority).toBe("HIGH");
  });

  it("keeps internal notes from the buyer and mails only replies; the first reply is the first response", async () => {
    const { number } = await open();
    const note = await addAgentMessage(
      db(),
      { number, actor: { userId: a.support.id }, body: "Upstream incident INC-7, do not promise a date.", internal: true },
      DESK,
    );
    expect(note.mail).toEqual([]);
    let ticket = await db().ticket.findUniqueOrThrow({ where: { number } });
    expect(ticket.status).toBe("OPEN");
    expect(ticket.firstResponseAt).toBeNull();

    const reply = await addAgentMessage(
      db(),
      { number, actor: { userId: a.support.id }, body: "We are on it; the provider had an outage.", internal: false },
      DESK,
    );
    expect(reply.mail).toEqual([expect.objectContaining({ to: "alice@example.com" })]);
    expect(reply.mail[0]!.text).toContain("the provider had an outage");
    expect(reply.mail[0]!.text).not.toContain("INC-7");
    ticket = await db().ticket.findUniqueOrThrow({ where: { number } });
    expect(ticket.status).toBe("WAITING_ON_CUSTOMER");
    expect(ticket.firstResponseAt).not.toBeNull();

    const view = await getBuyerTicket(db(), { customerId: alice().customerId, number });
    expect(JSON.stringify(view)).not.toContain("INC-7");
    expect(view!.messages.map((m) => m.author.label)).toEqual(["You", "Support"]);
    const agentView = await getAgentTicket(db(), { number });
    expect(agentView!.messages.filter((m) => m.internal).map((m) => m.body)).toEqual(["Upstream incident INC-7, do not promise a date."]);

    for (const action of ["ticket.note_added", "ticket.replied"]) {
      const entry = (await audits(action)).at(-1)!;
      expect(entry.actorId).toBe(a.support.id);
      expect(entry.details).toMatchObject({ ticket: number });
    }
  });

  it("does not show one buyer another's ticket", async () => {
    const { number } = await open();
    expect(await getBuyerTicket(db(), { customerId: a.bob.user.customerId!, number })).toBeNull();
    await expect(addBuyerReply(db(), { customerId: a.bob.user.customerId!, userId: a.bob.user.id, number, body: "hi" }, DESK)).rejects.toBeInstanceOf(
      TicketError,
    );
    await expect(closeBuyerTicket(db(), { customerId: a.bob.user.customerId!, userId: a.bob.user.id, number })).rejects.toBeInstanceOf(TicketError);
    expect((await db().ticket.findUniqueOrThrow({ where: { number } })).status).toBe("OPEN");
    const bobs = await listBuyerTickets(db(), { customerId: a.bob.user.customerId!, query: buyerTicketQuerySchema.parse({}) });
    expect(bobs.rows.map((r) => r.number)).not.toContain(number);
  });

  it("reopens on a buyer reply to a waiting or resolved ticket; refuses a reply to a closed one", async () => {
    const { number } = await open();
    await updateTicket(db(), { number, actor: { userId: a.support.id }, status: "RESOLVED", assigneeId: a.support.id }, DESK);
    const reply = await addBuyerReply(db(), { ...alice(), number, body: "Still failing for me." }, DESK);
    expect(reply.status).toBe("OPEN");
    // Assigned: the agent hears of it.
    expect(reply.mail).toEqual([expect.objectContaining({ to: "sam@example.com" })]);
    const ticket = await db().ticket.findUniqueOrThrow({ where: { number } });
    expect(ticket).toMatchObject({ status: "OPEN", resolvedAt: null });

    await closeBuyerTicket(db(), { ...alice(), number });
    await expect(addBuyerReply(db(), { ...alice(), number, body: "One more thing" }, DESK)).rejects.toThrow(/closed/);
  });

  it("closes a resolved ticket after 7 days without a reply (the sweep's step); a late reply is refused before that runs", async () => {
    const { number } = await open();
    const resolvedAt = new Date("2026-11-01T10:00:00Z");
    await updateTicket(db(), { number, actor: { userId: a.support.id }, status: "RESOLVED", now: resolvedAt }, DESK);
    expect(await closeResolvedTickets(db(), new Date("2026-11-08T09:59:00Z"))).toBe(0);
    // Reading never writes: the ticket stays RESOLVED until the sweep closes it.
    const read = await getBuyerTicket(db(), { customerId: alice().customerId, number, now: new Date("2026-11-08T10:00:00Z") });
    expect(read!.status).toBe("RESOLVED");
    await expect(addBuyerReply(db(), { ...alice(), number, body: "Still broken", now: new Date("2026-11-08T10:00:30Z") }, DESK)).rejects.toThrow(/closed/);
    expect(await closeResolvedTickets(db(), new Date("2026-11-08T10:00:00Z"))).toBeGreaterThanOrEqual(1);
    const view = await getBuyerTicket(db(), { customerId: alice().customerId, number, now: new Date("2026-11-08T10:00:00Z") });
    expect(view!.status).toBe("CLOSED");
  });

  it("mails the buyer on a status change and refuses a buyer as assignee", async () => {
    const { number } = await open();
    const changed = await updateTicket(db(), { number, actor: { userId: a.admin.id }, status: "RESOLVED", priority: "HIGH" }, DESK);
    expect(changed.changed.sort()).toEqual(["priority", "status"]);
    expect(changed.mail).toEqual([expect.objectContaining({ to: "alice@example.com", subject: expect.stringContaining("Resolved") })]);
    await expect(updateTicket(db(), { number, actor: { userId: a.admin.id }, assigneeId: a.bob.user.id }, DESK)).rejects.toMatchObject({ field: "assigneeId" });
    const entry = (await audits("ticket.updated")).at(-1)!;
    expect(entry.actorId).toBe(a.admin.id);
    expect(entry.details).toMatchObject({ ticket: number, status: { from: "OPEN", to: "RESOLVED" }, priority: { from: "NORMAL", to: "HIGH" } });
  });

  it("rotates the ticket's key after the last four are confirmed; the thread, audit and mail never hold the key", async () => {
    const { number } = await open({ category: "KEY_EXPOSED", subject: "Leaked" });
    const key = await db().apiKey.findUniqueOrThrow({ where: { id: a.alice.apiKeyId } });
    const input = { number, keyId: key.id, overlap: "1h" as const, actor: { userId: a.support.id }, keys: deriveSecretKeys(TEST_SECRET) };

    await expect(rotateKeyFromTicket(db(), { ...input, lastFour: "zzzz" }, DESK)).rejects.toMatchObject({ field: "lastFour" });
    await expect(rotateKeyFromTicket(db(), { ...input, keyId: a.bob.apiKeyId, lastFour: "zzzz" }, DESK)).rejects.toMatchObject({ field: "keyId" });
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: key.id } })).status).toBe("ACTIVE");
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: a.bob.apiKeyId } })).status).toBe("ACTIVE");

    const now = new Date();
    const rotated = await rotateKeyFromTicket(db(), { ...input, lastFour: key.lastFour, now }, DESK);
    const old = await db().apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(old.status).toBe("REPLACED");
    expect(old.validUntil!.getTime()).toBe(now.getTime() + 3_600_000);
    const fresh = await db().apiKey.findFirstOrThrow({ where: { orderId: a.alice.orderId, status: "ACTIVE" }, omit: { revealCiphertext: false } });
    expect(fresh.lastFour).toBe(rotated.newLastFour);
    expect(fresh.revealCiphertext).not.toBeNull();

    const view = await getBuyerTicket(db(), { customerId: alice().customerId, number });
    const last = view!.messages.at(-1)!;
    expect(last.body).toContain(`ending in ${key.lastFour}`);
    expect(last.body).toContain(`/orders/${a.alice.orderId}`);
    expect(view!.status).toBe("WAITING_ON_CUSTOMER");
    const audit = await db().auditLog.findMany({ where: { targetId: { in: [view!.id, key.id] } }, select: { details: true } });
    const everything = JSON.stringify([view, rotated.mail, audit]);
    expect(everything).not.toMatch(/sk-gate-/);
    const entry = (await audits("ticket.key_rotated")).at(-1)!;
    expect(entry).toMatchObject({ actorId: a.support.id, targetId: view!.id });
    expect(entry.details).toMatchObject({ ticket: number, keyId: key.id, oldLastFour: key.lastFour, newLastFour: rotated.newLastFour, overlap: "1h" });
  });

  describe("the queue", () => {
    it("finds a ticket by number, email, order id and request id, and filters by assignee and status", async () => {
      const req = await logRequest(a.bob.user.customerId!, a.bob.orderId, a.bob.apiKeyId);
      const bobs = await openTicket(
        db(),
        {
          customerId: a.bob.user.customerId!,
          userId: a.bob.user.id,
          category: "BILLING",
          subject: "Charged twice",
          body: "?",
          orderId: a.bob.orderId,
          requestIds: [req],
        },
        DESK,
      );
      const find = async (params: Record<string, string>, userId = a.support.id) =>
        (await listTicketQueue(db(), { query: ticketQueueQuerySchema.parse(params), userId, take: 500 })).rows.map((r) => r.number);

      for (const q of [`T-${bobs.number}`, `t${bobs.number}`, req]) expect(await find({ q, status: "all" }), q).toEqual([bobs.number]);
      // Bob's account has the fixture's ticket too.
      const fixture = (await db().ticket.findUniqueOrThrow({ where: { id: a.bob.ticketId } })).number;
      for (const q of ["bob@example", "t-bob-1"]) expect((await find({ q, status: "all" })).sort(), q).toEqual([fixture, bobs.number]);
      expect(await find({ category: "BILLING" })).toEqual([bobs.number]);
      expect(await find({ assignee: "none" })).toContain(bobs.number);
      await updateTicket(db(), { number: bobs.number, actor: { userId: a.admin.id }, assigneeId: a.admin.id }, DESK);
      expect(await find({ assignee: "me" }, a.admin.id)).toEqual([bobs.number]);
      expect(await find({ assignee: "none" })).not.toContain(bobs.number);
      await updateTicket(db(), { number: bobs.number, actor: { userId: a.admin.id }, status: "CLOSED" }, DESK);
      expect(await find({ q: req })).toEqual([]);
      expect(await find({ q: req, status: "CLOSED" })).toEqual([bobs.number]);
    });

    it("flags tickets past their first-response target until staff reply", async () => {
      const { number } = await open({}, new Date(Date.now() - 30 * 24 * 3_600_000));
      const row = async () => (await listTicketQueue(db(), { query: ticketQueueQuerySchema.parse({ q: `T-${number}` }), userId: a.support.id })).rows[0]!;
      expect((await row()).overdue).toBe(true);
      await addAgentMessage(db(), { number, actor: { userId: a.support.id }, body: "Looking.", internal: false }, DESK);
      expect((await row()).overdue).toBe(false);
    });
  });

  it("limits how many tickets one account opens an hour", async () => {
    const customer = await db().customer.create({ data: { name: "Busy" } });
    const user = await db().user.create({ data: { email: `busy-${engine}@example.com`, customerId: customer.id } });
    const input = { customerId: customer.id, userId: user.id, category: "OTHER" as const, subject: "Hello", body: "?", orderId: null, requestIds: [] };
    for (let i = 0; i < NEW_TICKET_LIMIT.points; i++) await openTicket(db(), input, DESK);
    await expect(openTicket(db(), input, DESK)).rejects.toBeInstanceOf(TicketRateLimitedError);
    expect(await db().ticket.count({ where: { customerId: customer.id } })).toBe(NEW_TICKET_LIMIT.points);
  });
});
