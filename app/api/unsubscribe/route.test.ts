import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { setDatabase } from "@/lib/db";
import { createUnsubscribeToken, deriveUnsubscribeKey } from "@/lib/notifications/unsubscribe-token";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { POST } from "./route";

// POST /api/unsubscribe?t=… with hostile input: forged, changed or garbled tokens are refused
// with 400 and change nothing; a valid token's body (a form, or anything else) is read no further
// than a few kilobytes.

describeEachEngine("POST /api/unsubscribe: hostile input", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  let dataDir: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "gatehouse-unsubscribe-"));
    const env = {
      GATEHOUSE_SECRET: TEST_SECRET,
      AUTH_SECRET: "unsubscribe-route-auth-secret-0123456789abcdefghij",
      MARKETPLACE_WEBHOOK_SECRET: "unsubscribe-route-webhook-secret-0123456789abcde",
      GATEHOUSE_PUBLIC_URL: "https://gate.example.com",
      GATEHOUSE_DATA_DIR: dataDir,
    };
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    resetConfig();
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await t?.drop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfig();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const customers = () => t.db.prisma.customer.findMany({ orderBy: { id: "asc" } });
  const post = (token: string | null, body?: BodyInit, headers?: Record<string, string>) => {
    // A streamed request body needs `duplex` (Node's fetch), not yet in the DOM types.
    const init = { method: "POST", body, headers, duplex: "half" } as RequestInit;
    return POST(new Request(`https://gate.example.com/api/unsubscribe${token === null ? "" : `?t=${encodeURIComponent(token)}`}`, init));
  };

  it("refuses forged, changed and garbled tokens with 400 and changes nothing", async () => {
    const before = await customers();
    const key = deriveUnsubscribeKey(TEST_SECRET);
    const good = createUnsubscribeToken(key, a.alice.user.customerId!, "CREDIT_ALERT");
    const tokens = [
      null,
      "",
      "../../etc/passwd",
      "%00",
      "x".repeat(100_000),
      good.replace(a.alice.user.customerId!, a.bob.user.customerId!),
      good.replace(".credit.", ".access."),
      good.slice(0, -1),
      `${good}A`,
      createUnsubscribeToken(deriveUnsubscribeKey("another-secret-0123456789abcdefghijklmnop"), a.alice.user.customerId!, "CREDIT_ALERT"),
      `${good}\u0000`,
      good.toUpperCase(),
    ];
    for (const token of tokens) {
      const response = await post(token, "List-Unsubscribe=One-Click", { "content-type": "application/x-www-form-urlencoded" });
      expect({ token: token?.slice(0, 40), status: response.status }).toEqual({ token: token?.slice(0, 40), status: 400 });
    }
    expect(await customers()).toEqual(before);
  });

  it("reads a valid token's body no further than its limit", async () => {
    const key = deriveUnsubscribeKey(TEST_SECRET);
    const token = createUnsubscribeToken(key, a.alice.user.customerId!, "ACCESS_REMINDER");
    let pulled = 0;
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const response = await post(token, endless, { "content-type": "application/x-www-form-urlencoded" });
    expect(response.status).toBe(200);
    expect(pulled).toBeLessThanOrEqual(4 * chunk.byteLength);
    // The page's own form still lands back on the page.
    const fromPage = await post(token, "from=page", { "content-type": "application/x-www-form-urlencoded" });
    expect(fromPage.status).toBe(303);
    expect(fromPage.headers.get("location")).toContain("done=1");
    // A one-click post without a body or with a body that is no form at all.
    expect((await post(token)).status).toBe(200);
    expect((await post(token, "\u0000\u0001", { "content-type": "multipart/form-data; boundary=x" })).status).toBe(200);
  });
});
