import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { resetConfig } from "@/lib/config";
import { deriveSecretKeys } from "@/lib/credentials";
import { setDatabase } from "@/lib/db";
import { PROJECT_ROOT } from "@/lib/db/migrations";
import { newRequestId } from "@/lib/gateway/request-id";
import { flushUsage, recordUsage } from "@/lib/gateway/usage-writer";
import { createOrder } from "@/lib/orders";
import { listCustomerRequests, requestLogQuerySchema } from "@/lib/requests";
import { getCustomerBalances } from "@/lib/usage/balance";
import { readUsageReport, usageQuerySchema } from "@/lib/usage/usage-report";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { signedInAs } from "@/test/session-seam";
import { usageRecord } from "@/test/usage-record";

// IDOR across two accounts. Bob, signed in as a buyer, asks for Alice's objects by their ids —
// order, key, key settings, ticket, logged request, usage, CSV export, balance — through the real
// pages, the CSV route handler and every buyer action, with input that is otherwise valid (so the
// ownership check, not the schema, is what refuses). Each is a 404 or a refusal, shows nothing of
// Alice's, and changes nothing. Alice's own calls succeed, so the refusals are not a broken setup.

vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn(), refresh: vi.fn(), updateTag: vi.fn() }));
vi.mock("next/server", async (importOriginal) => ({ ...(await importOriginal<typeof import("next/server")>()), after: vi.fn() }));

const orderActions = () => import("@/app/(portal)/orders/[id]/actions");
const keyActions = () => import("@/app/(portal)/orders/[id]/keys/[keyId]/actions");
const supportActions = () => import("@/app/(portal)/support/actions");
const settingsActions = () => import("@/app/(portal)/settings/actions");

/** The buyer actions this file tries with another account's ids, by module (under app/(portal)). */
const COVERED = {
  "orders/[id]/actions.ts": ["createKeyAction", "revealKeyAction", "rotateKeyAction"],
  "orders/[id]/keys/[keyId]/actions.ts": ["updateKeySettingsAction"],
  "settings/actions.ts": ["saveMailSettingsAction"],
  "support/actions.ts": ["closeTicketAction", "openTicketAction", "replyToTicketAction"],
};

it("covers every server action of the buyer's portal", () => {
  const root = join(PROJECT_ROOT, "app", "(portal)");
  const found: Record<string, string[]> = {};
  for (const file of readdirSync(root, { recursive: true }) as string[]) {
    if (!/\.tsx?$/.test(file)) continue;
    const text = readFileSync(join(root, file), "utf8");
    if (!/^\s*["']use server["']/.test(text)) continue;
    found[file.split(sep).join("/")] = [...text.matchAll(/^export const (\w+) =/gm)].map((m) => m[1]!).sort();
  }
  expect(found).toEqual(COVERED);
});

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

/** What a refusal looks like: Next's 404, or the action's own error state (never a success). */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    const result = (await call) as { status?: string; message?: string };
    return `returned ${result.status}${result.message ? `: ${result.message}` : ""}`;
  } catch (err) {
    const digest = (err as { digest?: string }).digest ?? "";
    if (digest.startsWith("NEXT_HTTP_ERROR_FALLBACK;404")) return "404";
    if (digest.startsWith("NEXT_REDIRECT")) return `redirect ${digest.split(";")[2]}`;
    throw err;
  }
}

describeEachEngine("another account's objects", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  let dataDir: string;
  /** Alice's revealable key on a plan that lets buyers rotate and add keys. */
  let alice: { orderId: string; keyId: string; ticketNumber: number; requestId: string; marketplaceOrderId: string };
  let bobRequestId: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "gatehouse-idor-"));
    vi.stubEnv("GATEHOUSE_SECRET", TEST_SECRET);
    vi.stubEnv("AUTH_SECRET", TEST_SECRET);
    vi.stubEnv("MARKETPLACE_WEBHOOK_SECRET", TEST_SECRET);
    vi.stubEnv("GATEHOUSE_DATA_DIR", dataDir);
    vi.stubEnv("SMTP_URL", "");
    resetConfig();
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
    const db = t.db.prisma;
    const created = await createOrder(db, {
      email: "alice@example.com",
      planName: "Pro 30",
      marketplaceOrderId: "MP-ALICE-IDOR",
      source: "MARKETPLACE",
      delivery: "reveal",
      actor: { label: "webhook" },
      keys: deriveSecretKeys(TEST_SECRET),
    });
    const ticket = await db.ticket.findUniqueOrThrow({ where: { id: a.alice.ticketId }, select: { number: true } });
    // Ids as the gateway makes them, so a form that names one passes its schema.
    const aliceUsage = usageRecord({ orderId: created.order.id, keyId: created.apiKey.id, customerId: created.customerId }, { requestId: newRequestId() });
    const bobUsage = usageRecord({ orderId: a.bob.orderId, keyId: a.bob.apiKeyId, customerId: a.bob.user.customerId! }, { requestId: newRequestId() });
    recordUsage(() => t.db, aliceUsage);
    recordUsage(() => t.db, bobUsage);
    await flushUsage({ all: true });
    alice = {
      orderId: created.order.id,
      keyId: created.apiKey.id,
      ticketNumber: ticket.number,
      requestId: aliceUsage.requestId,
      marketplaceOrderId: "MP-ALICE-IDOR",
    };
    bobRequestId = bobUsage.requestId;
  });
  afterAll(async () => {
    signedInAs.userId = null;
    setDatabase(undefined);
    await t?.drop();
    vi.unstubAllEnvs();
    resetConfig();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Everything of Alice's a refused call could have changed, and what it could have added anywhere. */
  const state = async () => {
    const db = t.db.prisma;
    const customerId = a.alice.user.customerId!;
    return {
      keys: await db.apiKey.findMany({ where: { order: { customerId } }, orderBy: { id: "asc" } }),
      orders: await db.order.findMany({ where: { customerId }, orderBy: { id: "asc" } }),
      customer: await db.customer.findUniqueOrThrow({ where: { id: customerId } }),
      tickets: await db.ticket.findMany({ where: { customerId }, orderBy: { id: "asc" } }),
      counts: {
        keys: await db.apiKey.count(),
        tickets: await db.ticket.count(),
        messages: await db.ticketMessage.count(),
        ledger: await db.ledgerEntry.count(),
        audit: await db.auditLog.count(),
        requests: await db.requestLog.count(),
      },
    };
  };

  it("pages answer Bob 404 for Alice's order, key settings, ticket and request, and show Alice hers", async () => {
    const OrderPage = (await import("@/app/(portal)/orders/[id]/page")).default;
    const KeyPage = (await import("@/app/(portal)/orders/[id]/keys/[keyId]/page")).default;
    const TicketPage = (await import("@/app/(portal)/support/[number]/page")).default;
    const RequestPage = (await import("@/app/(portal)/usage/requests/[requestId]/page")).default;
    const pages: [string, () => Promise<unknown>][] = [
      ["order", () => OrderPage({ params: Promise.resolve({ id: alice.orderId }) } as never)],
      ["key settings", () => KeyPage({ params: Promise.resolve({ id: alice.orderId, keyId: alice.keyId }) } as never)],
      ["key settings under Bob's own order", () => KeyPage({ params: Promise.resolve({ id: a.bob.orderId, keyId: alice.keyId }) } as never)],
      ["ticket", () => TicketPage({ params: Promise.resolve({ number: String(alice.ticketNumber) }), searchParams: Promise.resolve({}) } as never)],
      ["request", () => RequestPage({ params: Promise.resolve({ requestId: alice.requestId }) } as never)],
    ];
    signedInAs.userId = a.bob.user.id;
    for (const [name, render] of pages) expect(`${name}: ${await outcome(render())}`).toBe(`${name}: 404`);
    signedInAs.userId = a.alice.user.id;
    for (const [name, render] of pages.filter(([n]) => n !== "key settings under Bob's own order")) {
      await expect(render(), name).resolves.toBeTruthy();
    }
  });

  it("usage, the request log, the CSV export and the balances show Bob nothing of Alice's, whatever ids he filters by", async () => {
    const db = t.db.prisma;
    const bob = a.bob.user.customerId!;
    const now = new Date();
    const report = await readUsageReport(db, { customerId: bob, query: usageQuerySchema.parse({ order: alice.orderId }), now });
    expect(report === null || report.totals.requests === 0).toBe(true);
    for (const filter of [{ order: alice.orderId }, { key: alice.keyId }, {}]) {
      const page = await listCustomerRequests(db, { customerId: bob, query: requestLogQuerySchema.parse(filter) });
      expect(page.rows.map((r) => r.requestId)).not.toContain(alice.requestId);
    }
    const balances = await getCustomerBalances(db, { customerId: bob, now });
    expect(balances.map((b) => b.id)).not.toContain(alice.orderId);
    expect(balances.length).toBeGreaterThan(0);

    const { GET } = await import("@/app/(portal)/usage/requests/export/route");
    const csv = async (query: string) => (await GET(new Request(`https://gate.example.com/usage/requests/export${query}`))).text();
    signedInAs.userId = a.bob.user.id;
    for (const query of ["", `?order=${alice.orderId}`, `?key=${alice.keyId}`]) {
      const text = await csv(query);
      expect(text, query).not.toContain(alice.requestId);
      expect(text, query).not.toContain(alice.marketplaceOrderId);
    }
    expect(await csv("")).toContain(bobRequestId);
    signedInAs.userId = a.alice.user.id;
    expect(await csv("")).toContain(alice.requestId);
  });

  it("every buyer action refuses Bob Alice's ids, and changes nothing", async () => {
    const { createKeyAction, revealKeyAction, rotateKeyAction } = await orderActions();
    const { updateKeySettingsAction } = await keyActions();
    const { openTicketAction, replyToTicketAction, closeTicketAction } = await supportActions();
    const { saveMailSettingsAction } = await settingsActions();
    const before = await state();
    const keySettings = { keyId: alice.keyId, name: "Mine now", models: "", spendLimitUsd: "1", spendLimitPeriod: "DAY", ipAllowlist: "203.0.113.9" };
    const ticket = { category: "OTHER", subject: "About that order", body: "Please look at it.", orderId: "", requestIds: "" };
    const calls: [string, () => Promise<unknown>][] = [
      ["reveal", () => revealKeyAction({ keyId: alice.keyId })],
      ["rotate", () => rotateKeyAction({ status: "idle" }, form({ keyId: alice.keyId, overlap: "none" }))],
      ["create key", () => createKeyAction({ status: "idle" }, form({ orderId: alice.orderId, name: "Extra" }))],
      ["key settings", () => updateKeySettingsAction({ status: "idle" }, form(keySettings))],
      ["ticket on Alice's order", () => openTicketAction({ status: "idle" }, form({ ...ticket, orderId: alice.orderId }))],
      ["ticket citing Alice's request", () => openTicketAction({ status: "idle" }, form({ ...ticket, requestIds: alice.requestId }))],
      ["reply", () => replyToTicketAction({ status: "idle" }, form({ number: String(alice.ticketNumber), body: "I am Alice." }))],
      ["close", () => closeTicketAction({ status: "idle" }, form({ number: String(alice.ticketNumber) }))],
    ];
    signedInAs.userId = a.bob.user.id;
    const answers: Record<string, string> = {};
    for (const [name, call] of calls) answers[name] = await outcome(call());
    // The ownership check refuses each (not the schema: the input is valid apart from whose ids they are).
    expect(answers).toEqual({
      reveal: "404",
      rotate: "404",
      "create key": "404",
      "key settings": "404",
      "ticket on Alice's order": "returned error: Choose one of your own orders.",
      "ticket citing Alice's request": expect.stringMatching(/^returned error: .*not .*your/i),
      reply: "returned error: No such ticket on your account.",
      close: "returned error: No such ticket on your account.",
    });
    // Bob's own mail settings are his alone: saving them leaves Alice's as they were.
    expect(await outcome(saveMailSettingsAction({ status: "idle" }, form({})))).toMatch(/^returned success/);
    expect(await state()).toEqual(before);

    // The same calls as Alice go through (reveal first: the rotation replaces the key).
    signedInAs.userId = a.alice.user.id;
    expect(await outcome(revealKeyAction({ keyId: alice.keyId }))).toBe("returned revealed");
    expect(await outcome(replyToTicketAction({ status: "idle" }, form({ number: String(alice.ticketNumber), body: "Alice here." })))).toMatch(
      /^returned success/,
    );
    expect(await outcome(updateKeySettingsAction({ status: "idle" }, form({ ...keySettings, name: "Alice's key" })))).toMatch(/^returned saved/);
    expect(await outcome(rotateKeyAction({ status: "idle" }, form({ keyId: alice.keyId, overlap: "none" })))).toBe("returned rotated");
  });
});
