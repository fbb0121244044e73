import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveSecretKeys } from "@/lib/credentials";
import { KeyStatusError, setKeyEnabled } from "@/lib/keys";
import { createOrder } from "@/lib/orders";
import type { TicketDesk } from "@/lib/tickets";
import { createAccounts, TEST_SECRET } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { checkKey, createPublicKeyStore, receiveGithubReport, tokenHash, type PublicKeyStore, type ReportAnswer } from "./index";

// GitHub's secret-scanning partner reports against a key pair made here and published by a local
// server in GitHub's document shape, on both database engines.

const DESK: TicketDesk = {
  publicUrl: "https://gate.example.com",
  emails: ["desk@example.com"],
  hours: { openMinute: 9 * 60, closeMinute: 17 * 60, timeZone: "UTC" },
  firstResponseHours: 4,
  mail: { smtpUrl: undefined, emailFrom: "Gatehouse <no-reply@example.com>", publicUrl: "https://gate.example.com" },
};
const KEYS = deriveSecretKeys(TEST_SECRET);
const LEAK_URL = "https://github.com/octocat/hello/blob/0123456789abcdef/config.env";
const FOREIGN_TOKEN = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";
// The DESIGN test vector with its last character changed: our format, a failing checksum.
const BAD_CHECKSUM = "sk-gate-003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7h" + "Q";

function ecKeyPair(): { publicPem: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKey };
}

const GITHUB = ecKeyPair();
const STRANGER = ecKeyPair();
const KEY_ID = "a".repeat(64);

/** A local stand-in for https://api.github.com/meta/public_keys/secret_scanning. */
class KeysServer {
  hits = 0;
  keys = [{ key_identifier: KEY_ID, key: GITHUB.publicPem, is_current: true }];
  private server: Server = createServer((_req, res) => {
    this.hits++;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ public_keys: this.keys }));
  });
  url = "";
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/meta/public_keys/secret_scanning`;
  }
  close() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function signed(body: string, privateKey = GITHUB.privateKey, keyId = KEY_ID) {
  const rawBody = Buffer.from(body, "utf8");
  return { rawBody, keyId, signature: sign("sha256", rawBody, privateKey).toString("base64") };
}

function reportBody(tokens: string[], url = LEAK_URL): string {
  return JSON.stringify(tokens.map((token) => ({ token, type: "gatehouse_api_key", url, source: "content" })));
}

describeEachEngine("secret-scanning reports", (engine) => {
  let t: TestDatabase;
  let keysServer: KeysServer;
  let store: PublicKeyStore;
  const db = () => t.db.prisma;

  async function newKey(email = `buyer-${Math.random().toString(36).slice(2, 8)}@example.com`) {
    const created = await createOrder(db(), {
      email,
      planName: "Starter 30",
      marketplaceOrderId: `T-LEAK-${Math.random().toString(36).slice(2, 10)}`,
      source: "CLI",
      delivery: "handout",
      actor: { label: "cli" },
      keys: KEYS,
    });
    return { key: created.apiKey.key!, keyId: created.apiKey.id, orderId: created.order.id, customerId: created.customerId, email };
  }

  function receive(request: { rawBody: Buffer; keyId: string | null; signature: string | null }, now?: Date): Promise<ReportAnswer> {
    return receiveGithubReport(db(), { ...request, store, keys: KEYS, desk: DESK, now });
  }

  /** Everything a report may change, to prove a refused one changed nothing. */
  async function snapshot() {
    return {
      keys: await db().apiKey.findMany({ select: { id: true, status: true, validUntil: true }, orderBy: { id: "asc" } }),
      tickets: await db().ticket.count(),
      audit: await db().auditLog.count(),
      reports: await db().leakedKeyReport.count(),
    };
  }

  beforeAll(async () => {
    keysServer = new KeysServer();
    await keysServer.start();
    store = createPublicKeyStore({ url: keysServer.url, minRefetchIntervalMs: 0 });
    t = await createTestDatabase(engine);
    await createAccounts(t.db.prisma);
  });
  afterAll(async () => {
    await t?.drop();
    await keysServer?.close();
  });

  it("a signed report of one of our keys replaces it at once, opens a ticket, audits and mails the buyer; other tokens are false positives", async () => {
    const leaked = await newKey();
    const now = new Date();
    const answer = await receive(signed(reportBody([leaked.key, FOREIGN_TOKEN, BAD_CHECKSUM])), now);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      { token_hash: tokenHash(leaked.key), token_type: "gatehouse_api_key", label: "true_positive" },
      { token_hash: tokenHash(FOREIGN_TOKEN), token_type: "gatehouse_api_key", label: "false_positive" },
      { token_hash: tokenHash(BAD_CHECKSUM), token_type: "gatehouse_api_key", label: "false_positive" },
    ]);
    expect(tokenHash(leaked.key)).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(answer.body)).not.toContain(leaked.key);

    // Replaced with no overlap; the new key carries on for the same order.
    const old = await db().apiKey.findUniqueOrThrow({ where: { id: leaked.keyId } });
    expect(old.status).toBe("REPLACED");
    expect(old.validUntil!.getTime()).toBe(now.getTime());
    const replacement = await db().apiKey.findUniqueOrThrow({
      where: { id: old.replacedById! },
      select: { id: true, status: true, orderId: true, revealCiphertext: true },
    });
    expect(replacement).toMatchObject({ status: "ACTIVE", orderId: leaked.orderId });
    // Revealable once in the portal, like every rotation for a buyer.
    expect(replacement.revealCiphertext).not.toBeNull();

    const ticket = await db().ticket.findFirstOrThrow({ where: { customerId: leaked.customerId }, include: { messages: true } });
    expect(ticket).toMatchObject({ category: "KEY_EXPOSED", priority: "HIGH", orderId: leaked.orderId, status: "OPEN" });
    expect(ticket.messages[0]!.body).toContain(LEAK_URL);
    expect(ticket.messages[0]!.body).toContain(old.lastFour);

    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "api_key.leak_reported", targetId: leaked.keyId } });
    expect(audit).toMatchObject({ actorLabel: "system" });
    expect(audit.details).toMatchObject({ scanner: "github", url: LEAK_URL, statusBefore: "ACTIVE", outcome: "replaced", newKeyId: replacement.id });
    expect(await db().auditLog.count({ where: { action: "api_key.rotated", targetId: leaked.keyId } })).toBe(1);

    const buyerMail = answer.mail.filter((m) => m.to === leaked.email);
    expect(buyerMail).toHaveLength(1);
    expect(buyerMail[0]!.text).toContain(LEAK_URL);
    expect(buyerMail[0]!.text).toContain(`/support/${ticket.number}`);
    expect(answer.mail.map((m) => m.to)).toContain("desk@example.com");
    for (const mail of answer.mail) expect(`${mail.subject}\n${mail.text}`).not.toContain(leaked.key);
    expect(JSON.stringify(audit.details)).not.toContain(leaked.key);
  });

  it("a replay of the same report answers true_positive and changes nothing: no second rotation, ticket, audit entry or mail", async () => {
    const leaked = await newKey();
    const request = signed(reportBody([leaked.key]));
    await receive(request);
    const before = await snapshot();
    const again = await receive(request);
    expect(again.status).toBe(200);
    expect(again.body).toEqual([{ token_hash: tokenHash(leaked.key), token_type: "gatehouse_api_key", label: "true_positive" }]);
    expect(again.mail).toEqual([]);
    expect(await snapshot()).toEqual(before);
    // The same token twice in one report is acted on once as well.
    const other = await newKey();
    const twice = await receive(signed(reportBody([other.key, other.key])));
    expect((twice.body as { label: string }[]).map((v) => v.label)).toEqual(["true_positive", "true_positive"]);
    expect(await db().ticket.count({ where: { customerId: other.customerId } })).toBe(1);
  });

  it("two identical reports at the same moment rotate once, open one ticket and mail once", async () => {
    const leaked = await newKey();
    const request = signed(reportBody([leaked.key]));
    const answers = await Promise.all([receive(request), receive(request), receive(request)]);
    for (const answer of answers) expect((answer.body as { label: string }[])[0]!.label).toBe("true_positive");
    expect(answers.flatMap((a) => a.mail).filter((m) => m.to === leaked.email)).toHaveLength(1);
    expect(await db().ticket.count({ where: { customerId: leaked.customerId } })).toBe(1);
    expect(await db().auditLog.count({ where: { action: "api_key.rotated", targetId: leaked.keyId } })).toBe(1);
    expect(await db().apiKey.count({ where: { orderId: leaked.orderId } })).toBe(2);
  });

  it("refuses unsigned, forged, unknown-key, oversized and malformed reports and changes nothing", async () => {
    const leaked = await newKey();
    const body = reportBody([leaked.key]);
    const good = signed(body);
    const before = await snapshot();
    const cases: [string, { rawBody: Buffer; keyId: string | null; signature: string | null }, number, string][] = [
      ["unsigned", { rawBody: good.rawBody, keyId: null, signature: null }, 401, "missing_signature"],
      ["no key id", { rawBody: good.rawBody, keyId: "", signature: good.signature }, 401, "missing_signature"],
      ["signed by another key", signed(body, STRANGER.privateKey), 401, "invalid_signature"],
      ["unknown key id", signed(body, GITHUB.privateKey, "b".repeat(64)), 401, "invalid_signature"],
      ["body changed after signing", { ...good, rawBody: Buffer.from(body.replace("content", "commit")) }, 401, "invalid_signature"],
      ["signature not base64", { ...good, signature: "not base64!" }, 401, "malformed_signature"],
      ["signature not DER", { ...good, signature: Buffer.alloc(64, 1).toString("base64") }, 401, "invalid_signature"],
      ["not JSON", signed("[{"), 400, "malformed_body"],
      ["not an array", signed(JSON.stringify({ token: leaked.key, type: "x" })), 400, "malformed_body"],
      ["empty array", signed("[]"), 400, "malformed_body"],
      ["no token", signed(JSON.stringify([{ type: "x", url: LEAK_URL }])), 400, "malformed_body"],
      ["a NUL in the url", signed(JSON.stringify([{ token: leaked.key, type: "x", url: "https://x/\u0000" }])), 400, "malformed_body"],
      ["oversized", signed(JSON.stringify([{ token: leaked.key, type: "x", url: "x".repeat(300 * 1024) }])), 413, "request_too_large"],
    ];
    for (const [name, request, status, code] of cases) {
      const answer = await receive(request);
      expect({ name, status: answer.status, body: answer.body }).toMatchObject({ name, status, body: { error: { code } } });
      expect(answer.mail).toEqual([]);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("a reported key still inside its rotation overlap stops working at once", async () => {
    const leaked = await newKey();
    const inOverlap = new Date(Date.now() + 3_600_000);
    await db().apiKey.update({ where: { id: leaked.keyId }, data: { status: "REPLACED", validUntil: inOverlap } });
    const now = new Date();
    const answer = await receive(signed(reportBody([leaked.key])), now);
    expect((answer.body as { label: string }[])[0]!.label).toBe("true_positive");
    const old = await db().apiKey.findUniqueOrThrow({ where: { id: leaked.keyId } });
    expect(old.validUntil!.getTime()).toBe(now.getTime());
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "api_key.leak_reported", targetId: leaked.keyId } });
    expect(audit.details).toMatchObject({ statusBefore: "REPLACED", outcome: "overlap_ended" });
  });

  it("a reported key that was disabled stays unusable: it can never be enabled again", async () => {
    const leaked = await newKey();
    await setKeyEnabled(db(), { keyId: leaked.keyId, enabled: false, reason: "paused", actor: { label: "cli" } });
    const answer = await receive(signed(reportBody([leaked.key])));
    expect((answer.body as { label: string }[])[0]!.label).toBe("true_positive");
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "api_key.leak_reported", targetId: leaked.keyId } });
    expect(audit.details).toMatchObject({ statusBefore: "DISABLED", outcome: "not_in_use" });
    expect(answer.mail.find((m) => m.to === leaked.email)?.text).toMatch(/no longer working/);
    await expect(setKeyEnabled(db(), { keyId: leaked.keyId, enabled: true, actor: { label: "cli" } })).rejects.toThrow(KeyStatusError);
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: leaked.keyId } })).status).toBe("DISABLED");
  });

  it("checkKey says whether a string is ours, whether its checksum holds and the key's status, nothing more", async () => {
    const fresh = await newKey();
    expect(await checkKey(db(), FOREIGN_TOKEN, KEYS)).toEqual({ ours: false, checksumOk: false, key: null });
    expect(await checkKey(db(), BAD_CHECKSUM, KEYS)).toEqual({ ours: true, checksumOk: false, key: null });
    expect(await checkKey(db(), "sk-gate-003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hP", KEYS)).toEqual({ ours: true, checksumOk: true, key: null });
    expect(await checkKey(db(), fresh.key, KEYS)).toMatchObject({
      ours: true,
      checksumOk: true,
      key: { id: fresh.keyId, status: "ACTIVE", orderId: fresh.orderId, reportedLeaked: false },
    });
  });
});

describe("the published-keys cache", () => {
  let keysServer: KeysServer;
  beforeAll(async () => {
    keysServer = new KeysServer();
    await keysServer.start();
  });
  afterAll(() => keysServer.close());

  it("fetches once, serves from memory, and looks again for an unknown key id at most once per interval", async () => {
    let clock = 1_000_000;
    const store = createPublicKeyStore({ url: keysServer.url, minRefetchIntervalMs: 60_000, ttlMs: 3_600_000, now: () => clock });
    keysServer.hits = 0;
    expect(await store.find(KEY_ID)).not.toBeNull();
    expect(await store.find(KEY_ID)).not.toBeNull();
    expect(keysServer.hits).toBe(1);
    // Made-up ids within the interval: no fetch at all.
    for (let i = 0; i < 20; i++) expect(await store.find(`forged-${i}`)).toBeNull();
    expect(keysServer.hits).toBe(1);
    // GitHub publishes a new key: a report signed with it is checked after one fetch.
    keysServer.keys = [...keysServer.keys, { key_identifier: "new-key", key: STRANGER.publicPem, is_current: true }];
    clock += 61_000;
    expect(await store.find("new-key")).not.toBeNull();
    expect(keysServer.hits).toBe(2);
    // After the TTL the list is fetched again.
    clock += 3_600_000;
    await store.find(KEY_ID);
    expect(keysServer.hits).toBe(3);
  });

  it("skips published keys that are not ECDSA P-256, and refuses when nothing can be fetched", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }).toString();
    keysServer.keys = [{ key_identifier: "rsa", key: rsa, is_current: false }, ...keysServer.keys];
    const store = createPublicKeyStore({ url: keysServer.url });
    expect(await store.find("rsa")).toBeNull();
    expect(await store.find(KEY_ID)).not.toBeNull();
    const nowhere = createPublicKeyStore({ url: "http://127.0.0.1:9/keys", timeoutMs: 1000 });
    await expect(nowhere.find(KEY_ID)).rejects.toThrow(/could not be fetched/);
  });
});
