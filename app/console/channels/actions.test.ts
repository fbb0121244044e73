import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { channelHealth } from "@/lib/channels";
import { resetConfig } from "@/lib/config";
import { CHANNEL_KEY_AAD, decryptSecret, deriveSecretKeys } from "@/lib/credentials";
import { setDatabase } from "@/lib/db";
import { resetCircuits, recordChannelFailure } from "@/lib/gateway/circuit-breaker";
import { startMockUpstream, type MockUpstream } from "@/lib/mock-upstream";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { createChannelAction, setChannelEnabledAction, testChannelAction, updateChannelAction } from "./actions";

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
const SECRET_KEY = "sk-upstream-SECRET-0123456789abcdefWXYZ";

describeEachEngine("console: channels", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  let mock: MockUpstream;
  let channelId: string;
  const keys = deriveSecretKeys(TEST_SECRET);
  const fields = () => ({
    provider: "OPENAI",
    baseUrl: `${mock.url}/v1/`,
    models: "gpt-4.1-mini\ngpt-4.1",
    modelMap: "gpt-4.1 = gpt-4.1-2025-04-14",
    priority: "5",
    weight: "3",
    enabled: "on",
  });

  beforeAll(async () => {
    vi.stubEnv("GATEHOUSE_SECRET", TEST_SECRET);
    vi.stubEnv("AUTH_SECRET", TEST_SECRET);
    vi.stubEnv("MARKETPLACE_WEBHOOK_SECRET", TEST_SECRET);
    vi.stubEnv("GATEHOUSE_DATA_DIR", mkdtempSync(join(tmpdir(), "gatehouse-channels-")));
    resetConfig();
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
    mock = await startMockUpstream();
  });
  afterAll(async () => {
    setDatabase(undefined);
    vi.unstubAllEnvs();
    resetConfig();
    await mock?.close();
    await t?.drop();
  });
  beforeEach(() => {
    signedInAs.userId = null;
    mock.reset();
  });

  const snapshot = async () => ({
    channels: await t.db.prisma.upstreamChannel.findMany({ orderBy: { name: "asc" }, omit: { apiKeyCiphertext: false } }),
    audit: await t.db.prisma.auditLog.count({ where: { action: { startsWith: "channel." } } }),
  });

  it("lets an admin add a channel: the key stored only as ciphertext, never in the audit log", async () => {
    signedInAs.userId = a.admin.id;
    await expect(createChannelAction(idle, form({ name: "Primary OpenAI", apiKey: ` ${SECRET_KEY} `, ...fields() }))).rejects.toMatchObject({
      digest: expect.stringMatching(/^NEXT_REDIRECT;replace;\/console\/channels\/\w+\?saved=created;/),
    });
    const row = await t.db.prisma.upstreamChannel.findUniqueOrThrow({ where: { name: "Primary OpenAI" }, omit: { apiKeyCiphertext: false } });
    channelId = row.id;
    expect(row).toMatchObject({
      provider: "OPENAI",
      baseUrl: `${mock.url}/v1`,
      models: ["gpt-4.1-mini", "gpt-4.1"],
      modelMap: { "gpt-4.1": "gpt-4.1-2025-04-14" },
      priority: 5,
      weight: 3,
      enabled: true,
    });
    expect(row.apiKeyCiphertext).not.toContain(SECRET_KEY);
    expect(row.apiKeyCiphertext).not.toContain("WXYZ");
    expect(decryptSecret(row.apiKeyCiphertext, keys.channelKey, CHANNEL_KEY_AAD)).toBe(SECRET_KEY);
    const entry = await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "channel.created", targetId: row.id } });
    expect(entry).toMatchObject({
      actorId: a.admin.id,
      ip: "203.0.113.9",
      details: expect.objectContaining({ name: "Primary OpenAI", weight: 3, keyReplaced: true }),
    });
    expect(JSON.stringify(entry.details)).not.toContain(SECRET_KEY.slice(-12));
  });

  it("sends a signed-out caller to sign in; answers a buyer and support with 404; changes nothing and sends nothing upstream", async () => {
    const before = await snapshot();
    const attempts = () => [
      createChannelAction(idle, form({ name: "Evil", apiKey: "k".repeat(20), ...fields() })),
      updateChannelAction(idle, form({ id: channelId, apiKey: "stolen-key-0000000000", ...fields(), baseUrl: "http://attacker.example" })),
      setChannelEnabledAction(idle, form({ id: channelId, enabled: "false" })),
      testChannelAction(idle, form({ id: channelId })),
    ];
    for (const attempt of attempts()) await expectRedirect(attempt, "/signin");
    for (const user of [a.alice.user, a.support]) {
      signedInAs.userId = user.id;
      for (const attempt of attempts()) await expectNotFound(attempt);
    }
    expect(await snapshot()).toEqual(before);
    expect(mock.requests).toHaveLength(0);
  });

  it("refuses invalid input field by field, unpriced models and a taken name", async () => {
    signedInAs.userId = a.admin.id;
    const before = await snapshot();
    const result = await createChannelAction(
      idle,
      form({ name: "", apiKey: "", provider: "ACME", baseUrl: "ftp://x", models: "", modelMap: "nonsense", priority: "high", weight: "0" }),
    );
    expect(Object.keys((result as { fieldErrors: object }).fieldErrors).sort()).toEqual([
      "apiKey",
      "baseUrl",
      "modelMap",
      "models",
      "name",
      "priority",
      "provider",
      "weight",
    ]);
    expect(await createChannelAction(idle, form({ name: "Odd", apiKey: "k".repeat(20), ...fields(), models: "gpt-4.1-mini, house-secret-model" }))).toEqual({
      status: "error",
      message: "No price for house-secret-model. Add its price on the Prices page first.",
    });
    expect(await createChannelAction(idle, form({ name: "Primary OpenAI", apiKey: "k".repeat(20), ...fields() }))).toMatchObject({
      status: "error",
      message: expect.stringMatching(/already exists/),
    });
    expect(await snapshot()).toEqual(before);
  });

  it("edits a channel: a blank key keeps the stored one, a new key replaces it", async () => {
    signedInAs.userId = a.admin.id;
    const before = (await t.db.prisma.upstreamChannel.findUniqueOrThrow({ where: { id: channelId }, omit: { apiKeyCiphertext: false } })).apiKeyCiphertext;
    expect(await updateChannelAction(idle, form({ id: channelId, apiKey: "", ...fields(), weight: "7" }))).toMatchObject({ status: "success" });
    let row = await t.db.prisma.upstreamChannel.findUniqueOrThrow({ where: { id: channelId }, omit: { apiKeyCiphertext: false } });
    expect(row).toMatchObject({ weight: 7, apiKeyCiphertext: before });
    expect(await updateChannelAction(idle, form({ id: channelId, apiKey: "sk-replacement-key-9999", ...fields() }))).toMatchObject({
      status: "success",
      message: expect.stringMatching(/new key/),
    });
    row = await t.db.prisma.upstreamChannel.findUniqueOrThrow({ where: { id: channelId }, omit: { apiKeyCiphertext: false } });
    expect(decryptSecret(row.apiKeyCiphertext, keys.channelKey, CHANNEL_KEY_AAD)).toBe("sk-replacement-key-9999");
    const entries = await t.db.prisma.auditLog.findMany({ where: { action: "channel.updated", targetId: channelId }, orderBy: { id: "asc" } });
    expect(entries.map((e) => (e.details as { keyReplaced: boolean }).keyReplaced)).toEqual([false, true]);
    expect(JSON.stringify(entries.map((e) => e.details))).not.toContain("replacement-key");
    // Back to the first key for the tests below.
    await updateChannelAction(idle, form({ id: channelId, apiKey: SECRET_KEY, ...fields() }));
  });

  it("tests a channel with a one-token request through the upstream code path, and audits it", async () => {
    signedInAs.userId = a.admin.id;
    const result = await testChannelAction(idle, form({ id: channelId, model: "gpt-4.1" }));
    expect(result).toMatchObject({ status: "tested", result: { ok: true, status: 200, model: "gpt-4.1", upstreamModel: "gpt-4.1-2025-04-14", error: null } });
    expect((result as { result: { latencyMs: number } }).result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]).toMatchObject({ path: "/v1/chat/completions" });
    expect(mock.requests[0]!.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(JSON.parse(mock.requests[0]!.body)).toMatchObject({ model: "gpt-4.1-2025-04-14", max_completion_tokens: 1 });
    const entry = await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "channel.tested", targetId: channelId }, orderBy: { id: "desc" } });
    expect(entry).toMatchObject({ actorId: a.admin.id, details: expect.objectContaining({ ok: true, status: 200, model: "gpt-4.1" }) });
  });

  it("shows the upstream's error, without the key even when the upstream quotes it", async () => {
    signedInAs.userId = a.admin.id;
    mock.setFault({ status: 401, message: `Incorrect API key provided: ${SECRET_KEY}.`, times: 1 });
    const result = await testChannelAction(idle, form({ id: channelId }));
    expect(result).toMatchObject({
      status: "tested",
      result: { ok: false, status: 401, model: "gpt-4.1-mini", error: expect.stringMatching(/^HTTP 401: Incorrect API key provided: \[key\]/) },
    });
    expect(JSON.stringify(result)).not.toContain(SECRET_KEY.slice(4, 12));
    expect(JSON.stringify(result)).not.toContain("WXYZ");
  });

  it("says when the upstream cannot be reached", async () => {
    signedInAs.userId = a.admin.id;
    const dead = await startMockUpstream();
    await dead.close();
    await updateChannelAction(idle, form({ id: channelId, apiKey: "", ...fields(), baseUrl: `${dead.url}/v1` }));
    const result = await testChannelAction(idle, form({ id: channelId }));
    expect(result).toMatchObject({ status: "tested", result: { ok: false, status: null, error: expect.stringMatching(/could not connect/) } });
    await updateChannelAction(idle, form({ id: channelId, apiKey: "", ...fields() }));
  });

  it("disables and enables a channel, audited", async () => {
    signedInAs.userId = a.admin.id;
    expect(await setChannelEnabledAction(idle, form({ id: channelId, enabled: "false" }))).toEqual({
      status: "success",
      message: '"Primary OpenAI" is disabled.',
    });
    expect((await t.db.prisma.upstreamChannel.findUniqueOrThrow({ where: { id: channelId }, omit: { apiKeyCiphertext: false } })).enabled).toBe(false);
    expect(await setChannelEnabledAction(idle, form({ id: channelId, enabled: "false" }))).toMatchObject({
      message: expect.stringMatching(/already was disabled/),
    });
    expect(await setChannelEnabledAction(idle, form({ id: channelId, enabled: "true" }))).toMatchObject({ message: '"Primary OpenAI" is enabled.' });
    const actions = (
      await t.db.prisma.auditLog.findMany({ where: { targetId: channelId, action: { in: ["channel.enabled", "channel.disabled"] } }, orderBy: { id: "asc" } })
    ).map((e) => [e.action, e.actorId]);
    expect(actions).toEqual([
      ["channel.disabled", a.admin.id],
      ["channel.enabled", a.admin.id],
    ]);
  });

  it("reports health from the last hour of the request log and this instance's circuit", async () => {
    const now = new Date();
    const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
    const rows = [
      { status: 200, ttfbMs: 100, createdAt: minutesAgo(5) },
      { status: 200, ttfbMs: 300, createdAt: minutesAgo(10) },
      { status: 200, ttfbMs: 200, createdAt: minutesAgo(20) },
      { status: 502, ttfbMs: null, createdAt: minutesAgo(30), errorCode: "upstream_error" },
      { status: 200, ttfbMs: 9_999, createdAt: minutesAgo(90) }, // outside the hour
    ];
    for (const [i, r] of rows.entries()) {
      await t.db.prisma.requestLog.create({
        data: { requestId: `health-${engine}-${i}`, endpoint: "chat", protocol: "openai", model: "gpt-4.1-mini", latencyMs: 1, channelId, ...r },
      });
    }
    resetCircuits();
    for (let i = 0; i < 3; i++) recordChannelFailure(channelId, Date.now(), "HTTP 503");
    const health = (await channelHealth(t.db.prisma, [channelId, "no-such-channel"], now)).get(channelId)!;
    expect(health).toMatchObject({
      requests: 4,
      successRate: 0.75,
      p50TtfbMs: 200,
      lastLoggedError: { status: 502, errorCode: "upstream_error" },
      circuit: { state: "open", failures: 3, lastFailure: { reason: "HTTP 503" } },
    });
    resetCircuits();
  });
});
