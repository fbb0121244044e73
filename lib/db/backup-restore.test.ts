import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, expect, it } from "vitest";
import { upsertChannel } from "@/lib/channels";
import { ensureSecrets } from "@/lib/config";
import { decryptSecret, deriveSecretKeys, CHANNEL_KEY_AAD, hmacLookup } from "@/lib/credentials";
import { openDatabase, type Database } from "@/lib/db";
import { applyMigrations } from "@/lib/db/migrate";
import { createOrder } from "@/lib/orders";
import { seed } from "@/lib/seed";
import { createEmptyDatabase, createTestDatabase, describeEachEngine } from "@/test/databases";

// The README's backup and restore, run as written, on both engines: PostgreSQL with pg_dump and
// pg_restore, the embedded database by archiving its stopped data directory. Each backup carries secrets.json; the restored instance reads the same secrets from it,
// finds the buyers' old API keys by their HMAC (as the gateway does) and decrypts the channels'
// upstream keys. Restored without secrets.json, it can do neither: why the file is part of the backup.

const exec = promisify(execFile);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An instance's data: a buyer's order with its key and a channel with an upstream key, under the data directory's own secrets. */
async function populate(db: Database, dataDir: string) {
  const secrets = ensureSecrets({ dataDir, redisUrl: undefined, env: {} });
  expect(secrets.generated.sort()).toEqual(["AUTH_SECRET", "GATEHOUSE_SECRET", "MARKETPLACE_WEBHOOK_SECRET"]);
  const keys = deriveSecretKeys(secrets.gatehouseSecret);
  await seed(db.prisma, { gatehouseSecret: secrets.gatehouseSecret }, { demo: false });
  const order = await createOrder(db.prisma, {
    email: "backup@example.com",
    planName: "Starter 30",
    marketplaceOrderId: "MP-BACKUP-1",
    source: "CLI",
    delivery: "handout",
    actor: { label: "cli" },
    keys,
  });
  const channelKey = `sk-upstream-${Date.now().toString(36)}-backup`;
  await upsertChannel(
    db.prisma,
    { name: "Backed-up channel", provider: "OPENAI", baseUrl: "https://api.openai.com/v1", apiKey: channelKey, models: ["gpt-4.1-mini"] },
    { keys, actor: { label: "cli" } },
  );
  return { secrets, apiKey: order.apiKey.key!, apiKeyId: order.apiKey.id, channelKey };
}

/** What a restored instance must still do with its data directory's secrets. */
async function expectWorking(db: Database, dataDir: string, original: Awaited<ReturnType<typeof populate>>) {
  const secrets = ensureSecrets({ dataDir, redisUrl: undefined, env: {} });
  expect(secrets.generated).toEqual([]);
  expect({ auth: secrets.authSecret, gatehouse: secrets.gatehouseSecret, webhook: secrets.webhookSecret }).toEqual({
    auth: original.secrets.authSecret,
    gatehouse: original.secrets.gatehouseSecret,
    webhook: original.secrets.webhookSecret,
  });
  const keys = deriveSecretKeys(secrets.gatehouseSecret);
  const key = await db.prisma.apiKey.findUnique({ where: { hmac: hmacLookup(original.apiKey, keys.keyPepper) }, select: { id: true, status: true } });
  expect(key).toEqual({ id: original.apiKeyId, status: "ACTIVE" });
  const channel = await db.prisma.upstreamChannel.findUniqueOrThrow({ where: { name: "Backed-up channel" }, omit: { apiKeyCiphertext: false } });
  expect(decryptSecret(channel.apiKeyCiphertext, keys.channelKey, CHANNEL_KEY_AAD)).toBe(original.channelKey);
  expect(await db.prisma.order.count({ where: { marketplaceOrderId: "MP-BACKUP-1" } })).toBe(1);
}

/** The same database with other secrets (a restore that left secrets.json behind): nothing verifies or decrypts. */
async function expectUselessWithoutSecrets(db: Database, original: Awaited<ReturnType<typeof populate>>) {
  const otherDir = tempDir("gatehouse-nosecrets-");
  const keys = deriveSecretKeys(ensureSecrets({ dataDir: otherDir, redisUrl: undefined, env: {} }).gatehouseSecret);
  expect(await db.prisma.apiKey.findUnique({ where: { hmac: hmacLookup(original.apiKey, keys.keyPepper) } })).toBeNull();
  const channel = await db.prisma.upstreamChannel.findUniqueOrThrow({ where: { name: "Backed-up channel" }, omit: { apiKeyCiphertext: false } });
  expect(() => decryptSecret(channel.apiKeyCiphertext, keys.channelKey, CHANNEL_KEY_AAD)).toThrow();
}

async function pgDumpAndRestore() {
  const source = await createTestDatabase("postgres");
  cleanups.push(() => source.drop());
  const dataDir = tempDir("gatehouse-backup-src-");
  const original = await populate(source.db, dataDir);

  // Backup: the database and secrets.json.
  const backup = tempDir("gatehouse-backup-");
  await exec("pg_dump", ["--format=custom", "--file", join(backup, "gatehouse.dump"), source.location]);
  copyFileSync(join(dataDir, "secrets.json"), join(backup, "secrets.json"));
  expect(statSync(join(backup, "gatehouse.dump")).size).toBeGreaterThan(10_000);

  // Restore: into an empty database, secrets.json into the new instance's data directory.
  const target = await createEmptyDatabase("postgres");
  cleanups.push(() => target.drop());
  await exec("pg_restore", ["--no-owner", "--exit-on-error", "--dbname", target.location, join(backup, "gatehouse.dump")]);
  const newDataDir = tempDir("gatehouse-backup-dst-");
  copyFileSync(join(backup, "secrets.json"), join(newDataDir, "secrets.json"));
  // Restored migrations are recorded: the new instance's start-up applies none again.
  expect(await applyMigrations(target.db)).toEqual([]);
  await expectWorking(target.db, newDataDir, original);
  await expectUselessWithoutSecrets(target.db, original);
}

/** A migrated embedded database in a data directory of its own (a copy of the test run's template). */
async function migratedPglite(): Promise<{ db: Database; dataDir: string }> {
  const t = await createTestDatabase("pglite");
  cleanups.push(() => rmSync(t.location, { recursive: true, force: true }));
  return { db: t.db, dataDir: t.location };
}

describeEachEngine("backup and restore", (engine) => {
  if (engine === "postgres") {
    it("pg_dump and pg_restore with secrets.json: the restored instance accepts the old keys and decrypts channel keys", async () => {
      await pgDumpAndRestore();
    });
    return;
  }

  it(
    "an archive of the stopped data directory (secrets.json inside): the restored instance accepts the old keys and decrypts channel keys",
    { timeout: 120_000 },
    async () => {
      const { db: source, dataDir } = await migratedPglite();
      const original = await populate(source, dataDir);
      await source.close(); // the server is stopped for the backup

      const backup = join(tempDir("gatehouse-backup-"), "gatehouse-data.tar.gz");
      await exec("tar", ["-czf", backup, "-C", dataDir, "."]);
      const newDataDir = tempDir("gatehouse-backup-dst-");
      await exec("tar", ["-xzf", backup, "-C", newDataDir]);
      const restored = openDatabase({ kind: "pglite", dataDir: newDataDir });
      cleanups.push(() => restored.close());
      expect(await applyMigrations(restored)).toEqual([]);
      await expectWorking(restored, newDataDir, original);
      await expectUselessWithoutSecrets(restored, original);
    },
  );
});
