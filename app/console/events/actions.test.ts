import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { setDatabase } from "@/lib/db";
import { receiveMarketplaceEvent, signMarketplaceBody } from "@/lib/marketplace";
import { deriveSecretKeys } from "@/lib/credentials";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { describeEachEngine, createTestDatabase, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { replayEventAction } from "./actions";

// The action is called directly, as a crafted POST would call it.
vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
const mailed = vi.hoisted(() => [] as string[]);
vi.mock("@/lib/credentials/get-secret-keys", async () => ({ getSecretKeys: () => deriveSecretKeys(TEST_SECRET) }));
vi.mock("next/server", async (original) => ({
  ...(await original<typeof import("next/server")>()),
  after: (task: () => unknown) => mailed.push(String(task)),
}));

const SECRET = "whsec-test-0123456789abcdefghijklmnopqrstuvwxyz";

describeEachEngine("console: replay a marketplace event", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  let eventId: string;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
    const rawBody = JSON.stringify({ event: "order.paid", order_id: "MP-REPLAY-1", email: "waiting@example.com", plan: "Team 90" });
    const answer = await receiveMarketplaceEvent(t.db.prisma, {
      rawBody,
      signature: signMarketplaceBody(SECRET, rawBody),
      secret: SECRET,
      keys: deriveSecretKeys(TEST_SECRET),
    });
    expect(answer.status).toBe(422);
    eventId = (answer.body as { event_id: string }).event_id;
  });
  afterAll(async () => {
    setDatabase(undefined);
    await t?.drop();
  });
  beforeEach(() => {
    signedInAs.userId = null;
    mailed.length = 0;
  });

  const state = async () => ({
    event: await t.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: eventId }, select: { status: true, attempts: true } }),
    replays: await t.db.prisma.auditLog.count({ where: { action: "webhook_event.replayed" } }),
  });

  it("refuses a signed-out caller, buyers and support, changing nothing", async () => {
    const before = await state();
    await expectRedirect(
      replayEventAction(
        { status: "idle" },
        (() => {
          const f = new FormData();
          f.append("eventId", eventId);
          return f;
        })(),
      ),
      "/signin",
    );
    for (const who of [a.alice.user.id, a.support.id]) {
      signedInAs.userId = who;
      await expectNotFound(replayEventAction({ eventId }));
    }
    expect(await state()).toEqual(before);
  });

  it("lets an admin replay: still failing says why; once fixed it applies, audited with the admin", async () => {
    signedInAs.userId = a.admin.id;
    expect(await replayEventAction({ eventId })).toEqual({
      status: "error",
      message: expect.stringMatching(/Still cannot be applied: Unknown plan "Team 90"/),
    });
    await t.db.prisma.plan.create({ data: { name: "Team 90", models: ["gpt-4o-mini"], durationDays: 90, rpm: 60 } });
    expect(await replayEventAction({ eventId })).toEqual({
      status: "success",
      message: "Applied: order MP-REPLAY-1 created, sign-in link mailed to waiting@example.com.",
    });
    expect(mailed).toHaveLength(1);
    expect((await state()).event.status).toBe("APPLIED");
    const audits = await t.db.prisma.auditLog.findMany({ where: { action: "webhook_event.replayed", targetId: eventId }, orderBy: { id: "asc" } });
    expect(audits.map((e) => [e.actorId, e.ip, (e.details as { outcome: string }).outcome])).toEqual([
      [a.admin.id, "203.0.113.9", "failed"],
      [a.admin.id, "203.0.113.9", "applied"],
    ]);
    expect(await replayEventAction({ eventId })).toEqual({ status: "error", message: `Event ${eventId} was already applied.` });
    expect(await replayEventAction({ eventId: "" })).toMatchObject({ status: "error" });
  });
});
