import { afterAll, beforeAll, expect, it } from "vitest";
import { deriveSecretKeys, hmacLookup } from "@/lib/credentials";
import { authorizeKey } from "@/lib/gateway/authenticate";
import { createOrder } from "@/lib/orders";
import { seed } from "@/lib/seed";
import { TEST_SECRET } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { listOrderKeys } from "./order-keys";
import { revealApiKey } from "./reveal-api-key";
import { parseOverlap, rotateApiKey } from "./rotate-api-key";

const keys = deriveSecretKeys(TEST_SECRET);

/** Every text-like column of every table, as text, for scanning the database for a secret. */
async function databaseText(t: TestDatabase): Promise<string> {
  const columns = await t.db.prisma.$queryRaw<{ table_name: string; column_name: string }[]>`
    SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')`;
  let all = "";
  for (const c of columns) {
    const rows = await t.db.prisma.$queryRawUnsafe<{ v: string | null }[]>(`SELECT "${c.column_name}"::text AS v FROM "${c.table_name}"`);
    all += rows.map((r) => r.v ?? "").join("\n");
  }
  return all;
}

describeEachEngine("API keys: reveal once and rotate", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await seed(t.db.prisma, { gatehouseSecret: TEST_SECRET }, { demo: false });
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** Reveals as the key's own account would. */
  const reveal = async (keyId: string, customerId?: string) => {
    const owner = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: keyId }, select: { order: { select: { customerId: true } } } });
    return revealApiKey(t.db.prisma, { keyId, customerId: customerId ?? owner.order.customerId, actor: { label: "system" }, keys });
  };

  const newOrder = async (id: string) =>
    createOrder(t.db.prisma, {
      email: `${id.toLowerCase()}@example.com`,
      planName: "Pro 30",
      marketplaceOrderId: id,
      source: "MARKETPLACE",
      delivery: "reveal",
      actor: { label: "webhook" },
      keys,
    });

  it("two simultaneous reveals: exactly one gets the key, the other is told it was already revealed", async () => {
    const { apiKey } = await newOrder("MP-R1");
    const results = await Promise.all([reveal(apiKey.id), reveal(apiKey.id)]);
    const revealed = results.filter((r) => r.status === "revealed");
    expect(revealed).toHaveLength(1);
    expect(results.filter((r) => r.status === "already_revealed")).toHaveLength(1);
    const key = (revealed[0] as { key: string }).key;
    expect(key).toMatch(/^sk-gate-/);
    expect(key.slice(-4)).toBe(apiKey.lastFour);
    const row = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id }, omit: { revealCiphertext: false } });
    expect(row.revealCiphertext).toBeNull();
    expect(row.revealedAt).not.toBeNull();
    expect(row.hmac).toBe(hmacLookup(key, keys.keyPepper));
    expect(await reveal(apiKey.id)).toEqual({ status: "already_revealed" });
    expect(await t.db.prisma.auditLog.count({ where: { action: "api_key.revealed", targetId: apiKey.id } })).toBe(1);
    // Nowhere in the database in plain text, not even in the audit log.
    expect(await databaseText(t)).not.toContain(key);
    const [view] = await listOrderKeys(t.db.prisma, (await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })).orderId);
    expect(view).toMatchObject({ revealable: false, lastFour: apiKey.lastFour });
    expect(JSON.stringify(view)).not.toContain(key);
  });

  it("another account cannot reveal the key, and its attempt leaves the reveal in place", async () => {
    const mine = await newOrder("MP-MINE");
    const theirs = await newOrder("MP-THEIRS");
    expect(await reveal(mine.apiKey.id, theirs.customerId)).toEqual({ status: "not_revealable" });
    expect((await reveal(mine.apiKey.id)).status).toBe("revealed");
  });

  it("records the reveal's instant exactly", async () => {
    const { apiKey } = await newOrder("MP-WHEN");
    const owner = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id }, select: { order: { select: { customerId: true } } } });
    const at = new Date("2026-03-04T05:06:07.089Z");
    expect((await revealApiKey(t.db.prisma, { keyId: apiKey.id, customerId: owner.order.customerId, actor: { label: "system" }, keys, now: at })).status).toBe(
      "revealed",
    );
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })).revealedAt).toEqual(at);
  });

  it("a key handed out by the CLI is not revealable", async () => {
    const created = await createOrder(t.db.prisma, {
      email: "cli@example.com",
      planName: "Pro 30",
      source: "CLI",
      delivery: "handout",
      actor: { label: "cli" },
      keys,
    });
    expect(await reveal(created.apiKey.id)).toEqual({ status: "not_revealable" });
    expect(await databaseText(t)).not.toContain(created.apiKey.key);
  });

  it("rotation issues a new revealable key; the old one is refused at once, or after the overlap", async () => {
    const { apiKey, order } = await newOrder("MP-ROT");
    const first = await reveal(apiKey.id);
    if (first.status !== "revealed") throw new Error("not revealed");
    const now = new Date();
    const rotated = await rotateApiKey(t.db.prisma, { keyId: apiKey.id, delivery: "reveal", actor: { label: "system" }, keys, now });
    expect(rotated.key).toBeUndefined();
    const old = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(old).toMatchObject({ status: "REPLACED", replacedById: rotated.newKeyId, validUntil: now, replacedAt: now });
    await expect(
      Promise.resolve().then(() =>
        authorizeKey(t.db.prisma, { credential: first.key, clientIp: "203.0.113.9", pepper: keys.keyPepper, nowMs: now.getTime() + 1 }),
      ),
    ).rejects.toMatchObject({ code: "api_key_replaced" });
    const second = await reveal(rotated.newKeyId);
    expect(second.status).toBe("revealed");
    await expect(rotateApiKey(t.db.prisma, { keyId: apiKey.id, delivery: "reveal", actor: { label: "system" }, keys })).rejects.toThrow(/only an active key/);

    // With an overlap, and by the CLI (handout): printed once, never revealable.
    const cli = await rotateApiKey(t.db.prisma, {
      keyId: rotated.newKeyId,
      overlapMs: parseOverlap("1h"),
      delivery: "handout",
      actor: { label: "cli" },
      keys,
      now,
    });
    expect(cli.key).toMatch(/^sk-gate-/);
    expect(cli.validUntil.getTime() - now.getTime()).toBe(3_600_000);
    expect(await reveal(cli.newKeyId)).toEqual({ status: "not_revealable" });
    const views = await listOrderKeys(t.db.prisma, order.id);
    expect(views.map((v) => v.status)).toEqual(["ACTIVE", "REPLACED", "REPLACED"]);
    expect(await t.db.prisma.auditLog.count({ where: { action: "api_key.rotated", details: { path: ["orderId"], equals: order.id } } })).toBe(2);
    expect(await databaseText(t)).not.toContain(cli.key);
  });

  it("parses overlaps up to 24 hours", () => {
    expect(parseOverlap("0")).toBe(0);
    expect(parseOverlap("30m")).toBe(1_800_000);
    expect(parseOverlap("24h")).toBe(86_400_000);
    expect(parseOverlap("1")).toBe(3_600_000);
    expect(() => parseOverlap("25h")).toThrow(/at most 24 hours/);
    expect(() => parseOverlap("soon")).toThrow(/0, 30m, 1h or 24h/);
  });
});
