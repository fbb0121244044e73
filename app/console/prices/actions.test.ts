import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { resetConfig } from "@/lib/config";
import { deriveSecretKeys } from "@/lib/credentials";
import { setDatabase } from "@/lib/db";
import { getCatalog, invalidateCatalog } from "@/lib/gateway/catalog";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { createPriceAction, updatePriceAction } from "./actions";

// The actions are called directly, as a crafted POST would call them: no page, no hidden button.
vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

const idle = { status: "idle" } as const;
const fields = {
  provider: "OPENAI",
  displayName: "Test model",
  input: "0.40",
  output: "$1.60",
  cacheRead: "0.1",
  cacheWrite: "",
  contextWindow: "",
  source: "",
};

describeEachEngine("console: prices", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  let gpt41Id: string;
  const channelKey = deriveSecretKeys(TEST_SECRET).channelKey;
  beforeAll(async () => {
    vi.stubEnv("GATEHOUSE_SECRET", TEST_SECRET);
    vi.stubEnv("AUTH_SECRET", TEST_SECRET);
    vi.stubEnv("MARKETPLACE_WEBHOOK_SECRET", TEST_SECRET);
    vi.stubEnv("GATEHOUSE_DATA_DIR", mkdtempSync(join(tmpdir(), "gatehouse-prices-")));
    resetConfig();
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
    // The catalog is the process's: forget the one the other engine's run loaded.
    invalidateCatalog({ broadcast: false });
    gpt41Id = (await t.db.prisma.modelPrice.findUniqueOrThrow({ where: { model: "gpt-4.1" } })).id;
  });
  afterAll(async () => {
    setDatabase(undefined);
    vi.unstubAllEnvs();
    resetConfig();
    await t?.drop();
  });
  beforeEach(() => {
    signedInAs.userId = null;
  });

  const snapshot = async () => ({
    prices: await t.db.prisma.modelPrice.findMany({ orderBy: { model: "asc" } }),
    audit: await t.db.prisma.auditLog.count({ where: { action: { startsWith: "price." } } }),
  });

  it("sends a signed-out caller to sign in; answers a buyer and support with 404; changes nothing", async () => {
    const before = await snapshot();
    await expectRedirect(createPriceAction(idle, form({ model: "free-model", ...fields })), "/signin");
    await expectRedirect(updatePriceAction(idle, form({ id: gpt41Id, ...fields, input: "0" })), "/signin");
    for (const user of [a.alice.user, a.support]) {
      signedInAs.userId = user.id;
      await expectNotFound(createPriceAction(idle, form({ model: "free-model", ...fields })));
      await expectNotFound(updatePriceAction(idle, form({ id: gpt41Id, ...fields, input: "0" })));
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuses amounts that are not dollars, model ids clients could not send, and a second price for a model", async () => {
    signedInAs.userId = a.admin.id;
    const before = await snapshot();
    const result = await createPriceAction(idle, form({ model: "bad model!", ...fields, input: "0.4.0", output: "-1", cacheRead: "2001", provider: "ACME" }));
    expect(result).toMatchObject({ status: "error" });
    expect(Object.keys((result as { fieldErrors: object }).fieldErrors).sort()).toEqual(["cacheRead", "input", "model", "output", "provider"]);
    expect(await createPriceAction(idle, form({ model: "gpt-4.1", ...fields }))).toMatchObject({
      status: "error",
      message: expect.stringMatching(/already has a price/),
    });
    expect(await snapshot()).toEqual(before);
  });

  it("adds a price in micro-dollars; the gateway's catalog has it on the next request; audited", async () => {
    signedInAs.userId = a.admin.id;
    const stale = await getCatalog(t.db.prisma, channelKey);
    expect(stale.prices.has("house-model-1")).toBe(false);
    await expect(createPriceAction(idle, form({ model: "house-model-1", ...fields }))).rejects.toMatchObject({
      digest: expect.stringMatching(/^NEXT_REDIRECT;replace;\/console\/prices\/\w+\?saved=created;/),
    });
    const price = await t.db.prisma.modelPrice.findUniqueOrThrow({ where: { model: "house-model-1" } });
    expect(price).toMatchObject({
      provider: "OPENAI",
      inputMicrosPerM: 400_000,
      outputMicrosPerM: 1_600_000,
      cacheReadMicrosPerM: 100_000,
      cacheWriteMicrosPerM: null,
    });
    const fresh = await getCatalog(t.db.prisma, channelKey);
    expect(fresh.prices.get("house-model-1")).toMatchObject({ inputMicrosPerM: 400_000, outputMicrosPerM: 1_600_000 });
    const entry = await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "price.created", targetId: price.id } });
    expect(entry).toMatchObject({ actorId: a.admin.id, details: expect.objectContaining({ model: "house-model-1", inputMicrosPerM: 400_000 }) });
  });

  it("changes a price for new requests; what was already charged stays as charged", async () => {
    signedInAs.userId = a.admin.id;
    // A request metered at the old price: its log row and debit carry their own cost.
    await t.db.prisma.requestLog.create({
      data: {
        requestId: "req-before-change",
        endpoint: "chat",
        protocol: "openai",
        model: "gpt-4.1",
        status: 200,
        inputTokens: 1000,
        outputTokens: 100,
        costMicros: 2_800n,
        latencyMs: 5,
        orderId: a.alice.orderId,
      },
    });
    await t.db.prisma.ledgerEntry.create({ data: { orderId: a.alice.orderId, kind: "DEBIT", amountMicros: -2_800n, requestId: "req-before-change" } });
    await getCatalog(t.db.prisma, channelKey);
    const result = await updatePriceAction(idle, form({ id: gpt41Id, ...fields, input: "20", output: "80" }));
    expect(result).toEqual({ status: "success", message: "Saved the price of gpt-4.1. New requests are charged at it now." });
    expect((await getCatalog(t.db.prisma, channelKey)).prices.get("gpt-4.1")).toMatchObject({ inputMicrosPerM: 20_000_000, outputMicrosPerM: 80_000_000 });
    expect((await t.db.prisma.requestLog.findUniqueOrThrow({ where: { requestId: "req-before-change" } })).costMicros).toBe(2_800n);
    expect((await t.db.prisma.ledgerEntry.findUniqueOrThrow({ where: { requestId: "req-before-change" } })).amountMicros).toBe(-2_800n);
    const entry = await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "price.updated", targetId: gpt41Id } });
    expect(entry).toMatchObject({
      actorId: a.admin.id,
      details: {
        model: "gpt-4.1",
        from: expect.objectContaining({ inputMicrosPerM: 2_000_000 }),
        to: expect.objectContaining({ inputMicrosPerM: 20_000_000 }),
      },
    });
  });
});
