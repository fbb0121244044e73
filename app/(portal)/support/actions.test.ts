import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { setDatabase } from "@/lib/db";
import { createAccounts, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { closeTicketAction, openTicketAction, replyToTicketAction } from "./actions";

// The buyer's ticket actions called directly, as a crafted POST would call them.
vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("next/server", () => ({ after: vi.fn() }));

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

describeEachEngine("support actions", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  let alicesNumber: number;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
    alicesNumber = (await t.db.prisma.ticket.findUniqueOrThrow({ where: { id: a.alice.ticketId } })).number;
  });
  afterAll(async () => {
    setDatabase(undefined);
    await t?.drop();
  });
  beforeEach(() => {
    signedInAs.userId = null;
  });

  const counts = async () => ({
    tickets: await t.db.prisma.ticket.count(),
    messages: await t.db.prisma.ticketMessage.count(),
    status: (await t.db.prisma.ticket.findUniqueOrThrow({ where: { number: alicesNumber } })).status,
  });

  it("sends a signed-out caller to sign in; answers staff and account-less users with 404; nothing changes", async () => {
    const before = await counts();
    const attempts = () => [
      openTicketAction({ status: "idle" }, form({ category: "OTHER", subject: "Hello there", body: "Hi" })),
      replyToTicketAction({ status: "idle" }, form({ number: String(alicesNumber), body: "Hi" })),
      closeTicketAction({ status: "idle" }, form({ number: String(alicesNumber) })),
    ];
    for (const attempt of attempts()) await expectRedirect(attempt, "/signin");
    for (const user of [a.support, a.admin, a.newcomer]) {
      signedInAs.userId = user.id;
      for (const attempt of attempts()) await expectNotFound(attempt);
    }
    expect(await counts()).toEqual(before);
  });

  it("does not let one buyer reply to or close another's ticket, or open one on another's order", async () => {
    signedInAs.userId = a.bob.user.id;
    const before = await counts();
    expect(await replyToTicketAction({ status: "idle" }, form({ number: String(alicesNumber), body: "Hi" }))).toMatchObject({ status: "error" });
    expect(await closeTicketAction({ status: "idle" }, form({ number: String(alicesNumber) }))).toMatchObject({ status: "error" });
    const foreignOrder = await openTicketAction({ status: "idle" }, form({ category: "OTHER", subject: "Hello there", body: "Hi", orderId: a.alice.orderId }));
    expect(foreignOrder).toMatchObject({ status: "error", fieldErrors: { orderId: ["Choose one of your own orders."] } });
    expect(await counts()).toEqual(before);
  });

  it("opens a ticket for a buyer and lands on it; refuses bad input field by field", async () => {
    signedInAs.userId = a.alice.user.id;
    const invalid = await openTicketAction({ status: "idle" }, form({ category: "NOPE", subject: "x", body: "", requestIds: "not-an-id" }));
    expect(invalid).toMatchObject({ status: "error" });
    expect(Object.keys((invalid as { fieldErrors: object }).fieldErrors).sort()).toEqual(["body", "category", "requestIds", "subject"]);
    const landing = openTicketAction(
      { status: "idle" },
      form({ category: "KEY_EXPOSED", subject: "Leaked key", body: "In a gist.", orderId: a.alice.orderId }),
    );
    // A server action's redirect: to the new ticket's page.
    const digest = await landing.then(
      () => "",
      (error: { digest?: string }) => error.digest ?? "",
    );
    const opened = await t.db.prisma.ticket.findFirstOrThrow({ where: { subject: "Leaked key" } });
    expect(digest).toContain(`NEXT_REDIRECT;`);
    expect(digest).toContain(`;/support/${opened.number}?opened=1;`);
    expect(opened).toMatchObject({ customerId: a.alice.user.customerId, category: "KEY_EXPOSED", priority: "HIGH", openedById: a.alice.user.id });
  });
});
