import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/config";
import { deriveSecretKeys, diagnoseApiKey, hmacLookup } from "@/lib/credentials";
import { openDatabase } from "@/lib/db";
import { DataDirBusyError } from "@/lib/db/pglite-lock";
import { seed } from "@/lib/seed";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { runCommand, type CommandContext } from "./command";
import { commands } from "./commands";
import { controlSocketPath } from "./control-socket";

const secrets = { authSecret: "a".repeat(40), gatehouseSecret: "g".repeat(40), webhookSecret: "w".repeat(40), fromDataDir: [], generated: [] };

describeEachEngine("CLI commands", (engine) => {
  let t: TestDatabase;
  let ctx: CommandContext;
  const run = async (...argv: string[]) => runCommand(commands, argv, ctx);
  const json = async (...argv: string[]) => {
    const out = await run(...argv, "--json");
    return { exitCode: out.exitCode, body: JSON.parse(out.stdout) as Record<string, unknown> & { ok: boolean; error?: string } };
  };

  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await seed(t.db.prisma, secrets, { demo: false });
    ctx = { config: loadConfig({}), database: () => t.db, secrets: () => secrets };
  });
  afterAll(() => t?.drop());

  it("migrate is idempotent", async () => {
    expect(await json("migrate")).toEqual({ exitCode: 0, body: { ok: true, applied: [], database: engine } });
  });

  it("plan add validates its input and plan list shows the plan", async () => {
    const missing = await run("plan", "add", "--name", "Tiny", "--models", "gpt-4o-mini", "--days", "7");
    expect(missing).toMatchObject({ exitCode: 2, stderr: "--rpm is required.\n" });
    const unknown = await json("plan", "add", "--name", "Tiny", "--models", "gpt-4o-mini,not-a-model", "--days", "7", "--rpm", "10");
    expect(unknown).toEqual({ exitCode: 1, body: { ok: false, error: expect.stringMatching(/Unknown model: not-a-model/) } });
    const bad = await run("plan", "add", "--name", "Tiny", "--models", "gpt-4o-mini", "--days", "seven", "--rpm", "10");
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--days must be a number/);

    const added = await json(
      "plan",
      "add",
      "--name",
      "Tiny",
      "--models",
      "gpt-4o-mini",
      "--days",
      "7",
      "--rpm",
      "10",
      "--credit",
      "2.5",
      "--multiplier",
      "1.5",
      "--self-rotate",
    );
    expect(added.exitCode).toBe(0);
    expect(added.body.plan).toMatchObject({ name: "Tiny", creditMicros: "2500000", multiplierBps: 15000, selfRotate: true, durationDays: 7 });
    const list = await json("plan", "list");
    expect((list.body.plans as { name: string }[]).map((p) => p.name)).toEqual(["Pro 30", "Starter 30", "Tiny"]);
    expect((await run("plan", "list")).stdout).toMatch(/^NAME\s+DAYS\s+RPM/);
  });

  it("price set adds and changes a price, audited, and a plan may then sell the model; price list and history show it", async () => {
    const unknown = await json("plan", "add", "--name", "Opus", "--models", "claude-opus-5-5", "--days", "7", "--rpm", "10");
    expect(unknown.body.error).toMatch(/price set --model claude-opus-5-5 --input USD_PER_MTOK --output USD_PER_MTOK/);
    const bad = await run("price", "set", "--model", "claude-opus-5-5", "--input", "cheap", "--output", "75");
    expect(bad).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/--input is USD per million tokens/) });
    const noProvider = await json("price", "set", "--model", "acme-1", "--input", "1", "--output", "2");
    expect(noProvider).toEqual({ exitCode: 1, body: { ok: false, error: expect.stringMatching(/--provider/) } });

    const added = await json("price", "set", "--model", "claude-opus-5-5", "--input", "15", "--output", "75", "--cache-read", "1.50");
    expect(added).toMatchObject({
      exitCode: 0,
      body: {
        created: true,
        price: {
          model: "claude-opus-5-5",
          provider: "ANTHROPIC",
          inputMicrosPerM: 15_000_000,
          outputMicrosPerM: 75_000_000,
          cacheReadMicrosPerM: 1_500_000,
          cacheWriteMicrosPerM: null,
        },
      },
    });
    const changed = await json("price", "set", "--model", "claude-opus-5-5", "--input", "12.5", "--output", "$60");
    // Omitted cache prices keep their value on a change.
    expect(changed).toMatchObject({
      exitCode: 0,
      body: { created: false, price: { inputMicrosPerM: 12_500_000, outputMicrosPerM: 60_000_000, cacheReadMicrosPerM: 1_500_000 } },
    });

    const audit = await t.db.prisma.auditLog.findMany({ where: { targetType: "model_price", actorLabel: "cli" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["price.created", "price.updated"]);
    const history = await json("price", "history", "--model", "claude-opus-5-5");
    expect((history.body.history as { inputMicrosPerM: number; actor: string }[]).map((h) => [h.inputMicrosPerM, h.actor])).toEqual([
      [15_000_000, "cli"],
      [12_500_000, "cli"],
    ]);
    const list = await json("price", "list");
    expect(list.body.prices).toContainEqual(expect.objectContaining({ model: "claude-opus-5-5", outputMicrosPerM: 60_000_000 }));
    expect((await run("price", "list")).stdout).toMatch(/^MODEL\s+PROVIDER\s+INPUT/);

    const plan = await json("plan", "add", "--name", "Opus", "--models", "claude-opus-5-5", "--days", "7", "--rpm", "10");
    expect(plan).toMatchObject({ exitCode: 0, body: { plan: { models: ["claude-opus-5-5"] } } });
  });

  it("plan add --alias names a plan model under another name, checked against the plan's models, and audited", async () => {
    const outside = await json(
      "plan",
      "add",
      "--name",
      "Aliased",
      "--models",
      "claude-sonnet-4-6",
      "--days",
      "7",
      "--rpm",
      "10",
      "--alias",
      "claude-opus-5-5=claude-opus-4-1",
    );
    expect(outside).toMatchObject({ exitCode: 2, body: { ok: false, error: expect.stringMatching(/claude-opus-4-1, which is not one of the plan's models/) } });
    const malformed = await json(
      "plan",
      "add",
      "--name",
      "Aliased",
      "--models",
      "claude-sonnet-4-6",
      "--days",
      "7",
      "--rpm",
      "10",
      "--alias",
      "claude-opus-5-5",
    );
    expect(malformed).toMatchObject({ exitCode: 2, body: { error: expect.stringMatching(/name=model/) } });
    const added = await json(
      "plan",
      "add",
      "--name",
      "Aliased",
      "--models",
      "claude-sonnet-4-6,claude-haiku-4-5",
      "--days",
      "7",
      "--rpm",
      "10",
      "--alias",
      "claude-opus-5-5=claude-sonnet-4-6",
      "--alias",
      "claude-haiku-5-0=claude-haiku-4-5",
    );
    expect(added).toMatchObject({
      exitCode: 0,
      body: { plan: { aliases: { "claude-opus-5-5": "claude-sonnet-4-6", "claude-haiku-5-0": "claude-haiku-4-5" } } },
    });
    const plan = await t.db.prisma.plan.findUniqueOrThrow({ where: { name: "Aliased" } });
    const audit = await t.db.prisma.auditLog.findFirstOrThrow({ where: { targetType: "plan", targetId: plan.id } });
    expect(audit).toMatchObject({
      action: "plan.created",
      actorLabel: "cli",
      details: expect.objectContaining({ modelAliases: { "claude-opus-5-5": "claude-sonnet-4-6", "claude-haiku-5-0": "claude-haiku-4-5" } }),
    });
    expect((await run("plan", "list")).stdout).toContain("claude-opus-5-5=>claude-sonnet-4-6");
  });

  it("channel add stores the upstream key encrypted and channel list never shows it", async () => {
    const upstreamKey = `upstream-secret-${Date.now()}`;
    const added = await json(
      "channel",
      "add",
      "--provider",
      "anthropic",
      "--api-key",
      upstreamKey,
      "--models",
      "claude-haiku-4-5",
      "--name",
      "anthropic-main",
      "--map",
      "claude-haiku-4-5=claude-haiku-4-5-20251001",
    );
    expect(added.exitCode).toBe(0);
    expect(JSON.stringify(added.body)).not.toContain(upstreamKey);
    const row = await t.db.prisma.upstreamChannel.findUniqueOrThrow({ where: { name: "anthropic-main" }, omit: { apiKeyCiphertext: false } });
    expect(row.baseUrl).toBe("https://api.anthropic.com");
    expect(row.modelMap).toEqual({ "claude-haiku-4-5": "claude-haiku-4-5-20251001" });
    expect(row.apiKeyCiphertext).not.toContain(upstreamKey);
    const listed = await run("channel", "list");
    expect(listed.stdout).toContain("anthropic-main");
    expect(listed.stdout).not.toContain(upstreamKey);
    expect((await run("channel", "add", "--provider", "mistral", "--api-key", "x", "--models", "m")).exitCode).toBe(2);
    expect(await t.db.prisma.auditLog.count({ where: { action: "channel.created", targetId: row.id } })).toBe(1);
  });

  it("order create prints a working key once and audits the hand-out", async () => {
    const out = await json("order", "create", "--email", "Cli.Buyer@Example.com", "--plan", "Starter 30", "--days", "2");
    expect(out.exitCode).toBe(0);
    const { order, apiKey } = out.body as unknown as { order: { id: string; marketplaceOrderId: string }; apiKey: { id: string; key: string } };
    expect(diagnoseApiKey(apiKey.key).ok).toBe(true);
    const row = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id }, omit: { revealCiphertext: false } });
    expect(row.hmac).toBe(hmacLookup(apiKey.key, deriveSecretKeys(secrets.gatehouseSecret).keyPepper));
    expect(row.revealCiphertext).toBeNull();
    expect(row.handedOutAt).toBeInstanceOf(Date);
    const audit = await t.db.prisma.auditLog.findMany({ where: { targetId: { in: [order.id, apiKey.id] } }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.action, a.actorLabel])).toEqual([
      ["order.created", "cli"],
      ["api_key.handed_out", "cli"],
    ]);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(apiKey.key);
    const user = await t.db.prisma.user.findUniqueOrThrow({ where: { email: "cli.buyer@example.com" } });
    expect(user.customerId).not.toBeNull();
    expect((await run("order", "create", "--email", "x@example.com", "--plan", "Nope")).stderr).toBe('Unknown plan "Nope".\n');
  });

  it("key check says whether a string is ours, whether its checksum holds and the key's status, and never prints the string", async () => {
    const created = await json("order", "create", "--email", "checked@example.com", "--plan", "Starter 30");
    const { apiKey } = created.body as unknown as { apiKey: { id: string; key: string } };
    const known = await json("key", "check", apiKey.key);
    expect(known).toEqual({
      exitCode: 0,
      body: {
        ok: true,
        key: {
          ours: true,
          checksumOk: true,
          issued: true,
          id: apiKey.id,
          lastFour: apiKey.key.slice(-4),
          orderId: expect.any(String),
          status: "ACTIVE",
          validUntil: null,
          reportedLeaked: false,
        },
      },
    });
    const text = await run("key", "check", apiKey.key);
    expect(text.stdout).toContain(`Status: active.`);
    expect(text.stdout + JSON.stringify(known.body)).not.toContain(apiKey.key);

    const typo = `${apiKey.key.slice(0, -1)}${apiKey.key.endsWith("A") ? "B" : "A"}`;
    expect((await json("key", "check", typo)).body).toEqual({ ok: true, key: { ours: true, checksumOk: false, issued: false } });
    expect((await run("key", "check", typo)).stdout).toMatch(/checksum fails/);
    // The DESIGN test vector: well formed, never issued here.
    const vector = "sk-gate-yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp13sRzl1";
    expect((await json("key", "check", vector)).body).toEqual({ ok: true, key: { ours: true, checksumOk: true, issued: false } });
    expect((await json("key", "check", "sk-proj-abc123")).body).toEqual({ ok: true, key: { ours: false, checksumOk: false, issued: false } });
    expect((await run("key", "check", "sk-proj-abc123")).stdout).not.toContain("sk-proj-abc123");
  });

  it("user role changes the role and audits old and new", async () => {
    const out = await json("user", "role", "--email", "cli.buyer@example.com", "--role", "support");
    expect(out.body.user).toMatchObject({ role: "SUPPORT", previousRole: "BUYER", changed: true });
    const entry = await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "user.role_changed" }, orderBy: { id: "desc" } });
    expect(entry).toMatchObject({ actorLabel: "cli", details: { email: "cli.buyer@example.com", from: "BUYER", to: "SUPPORT" } });
    expect((await run("user", "role", "--email", "nobody@example.com", "--role", "ADMIN")).stderr).toBe("No user with the email nobody@example.com.\n");
    expect((await run("user", "role", "--email", "cli.buyer@example.com", "--role", "ROOT")).exitCode).toBe(2);
  });

  it("user add creates a staff member who may then get a sign-in link; refuses an existing address and a buyer role", async () => {
    const out = await json("user", "add", "--email", "New.Agent@Example.com", "--role", "support", "--name", "Nia");
    expect(out.body.user).toMatchObject({ email: "new.agent@example.com", role: "SUPPORT" });
    expect(await t.db.prisma.user.findUniqueOrThrow({ where: { email: "new.agent@example.com" } })).toMatchObject({
      role: "SUPPORT",
      name: "Nia",
      customerId: null,
    });
    const entry = await t.db.prisma.auditLog.findFirstOrThrow({ where: { action: "user.created" }, orderBy: { id: "desc" } });
    expect(entry).toMatchObject({ actorLabel: "cli", details: { email: "new.agent@example.com", role: "SUPPORT" } });
    expect((await run("user", "add", "--email", "new.agent@example.com", "--role", "ADMIN")).stderr).toContain("already has an account");
    expect((await run("user", "add", "--email", "someone@example.com", "--role", "BUYER")).exitCode).toBe(2);
    expect(await t.db.prisma.user.count({ where: { email: "someone@example.com" } })).toBe(0);
  });
});

describe("CLI usage", () => {
  const ctx: CommandContext = {
    config: loadConfig({}),
    database: () => {
      throw new Error("help must not open the database");
    },
    secrets: () => secrets,
  };

  it("lists commands and prints help for each without touching the database", async () => {
    const help = await runCommand(commands, ["--help"], ctx);
    expect(help.exitCode).toBe(0);
    for (const c of commands) {
      expect(help.stdout).toContain(c.path.join(" "));
      const own = await runCommand(commands, [...c.path, "--help"], ctx);
      expect(own.exitCode).toBe(0);
      expect(own.stdout).toContain(`Usage: npm run gatehouse -- ${c.usage}`);
    }
  });

  it("rejects unknown commands and options with exit code 2", async () => {
    expect((await runCommand(commands, ["frobnicate"], ctx)).exitCode).toBe(2);
    expect((await runCommand(commands, ["plan", "list", "--bogus"], ctx)).exitCode).toBe(2);
    const asJson = await runCommand(commands, ["frobnicate", "--json"], ctx);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ ok: false });
  });

  it("refuses a key rotation overlap longer than 24 hours before touching the database", async () => {
    const out = await runCommand(commands, ["key", "rotate", "k1", "--overlap", "48h"], ctx);
    expect(out).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/at most 24 hours/) });
  });
});

// The real CLI process, as an operator runs it, on the embedded database.
describe("CLI process on the embedded database", () => {
  const exec = promisify(execFile);
  let dataDir: string;
  let holder: ChildProcess | undefined;
  const cli = (...args: string[]) =>
    exec(process.execPath, ["scripts/gatehouse.mjs", ...args], {
      env: { ...process.env, GATEHOUSE_DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "silent" },
    }).catch((err: { code: number; stdout: string; stderr: string }) => ({ ...err, failed: true }));

  beforeAll(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), "gatehouse-cli-")), "data");
  });
  afterAll(async () => {
    if (holder && holder.exitCode === null) {
      holder.kill("SIGTERM");
      await new Promise((r) => holder?.once("exit", r));
    }
    rmSync(join(dataDir, ".."), { recursive: true, force: true });
  });

  it("works when no server is running", async () => {
    const migrated = await cli("migrate", "--json");
    expect(JSON.parse(migrated.stdout)).toMatchObject({ ok: true, database: "pglite" });
    const seeded = await cli("seed", "--no-demo", "--json");
    expect(JSON.parse(seeded.stdout)).toMatchObject({ ok: true, plansCreated: 2, demo: false });
    // The process released the data directory on exit.
    expect(() => statSync(join(dataDir, "gatehouse.pid"))).toThrow();
  }, 60_000);

  it("sends its command to the process that holds the data directory, over an owner-only Unix socket", async () => {
    holder = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/node-hooks.mjs", "test/fixtures/hold-data-dir.ts"], {
      env: { ...process.env, GATEHOUSE_DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      holder!.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
      holder!.once("exit", (code) => reject(new Error(`holder exited with ${code}`)));
    });
    // Opening the directory a second time is refused, not attempted (PGlite would corrupt it).
    expect(() => openDatabase({ kind: "pglite", dataDir })).toThrow(DataDirBusyError);

    const out = await cli("plan", "add", "--name", "Remote", "--models", "gpt-4o-mini", "--days", "1", "--rpm", "5", "--json");
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, plan: { name: "Remote" } });
    const list = await cli("plan", "list", "--json");
    expect((JSON.parse(list.stdout) as { plans: { name: string }[] }).plans.map((p) => p.name)).toContain("Remote");
    const failing = await cli("user", "role", "--email", "nobody@example.com", "--role", "ADMIN");
    expect(failing).toMatchObject({ failed: true, code: 1, stderr: "No user with the email nobody@example.com.\n" });

    // The only way in is a Unix socket that only this user can open: no TCP, nothing another
    // machine can reach.
    const socket = statSync(controlSocketPath(dataDir));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  }, 90_000);
});

// The real CLI process on PostgreSQL with Redis, where a command's changes are published to the
// running instances: its stdout is the command's answer alone, whatever the log level.
describe("CLI process on PostgreSQL with Redis", () => {
  const exec = promisify(execFile);
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
  }, 60_000);
  afterAll(async () => {
    await t?.drop();
  });

  it("writes its log lines to stderr, so --json output parses", async () => {
    const env = {
      ...process.env,
      DATABASE_URL: t!.location,
      GATEHOUSE_DATA_DIR: mkdtempSync(join(tmpdir(), "gatehouse-cli-")),
      REDIS_URL: "redis://127.0.0.1:6379",
      AUTH_SECRET: "cli-test-auth-secret-0123456789abcdef",
      GATEHOUSE_SECRET: "cli-test-gatehouse-secret-0123456789ab",
      MARKETPLACE_WEBHOOK_SECRET: "cli-test-webhook-secret-0123456789abc",
      LOG_LEVEL: "info",
    };
    const run = (...args: string[]) => exec(process.execPath, ["scripts/gatehouse.mjs", ...args], { env });
    try {
      await run("seed", "--no-demo");
      const out = await run("order", "create", "--email", "cli-logs@example.com", "--plan", "Starter 30", "--json");
      expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, apiKey: { key: expect.stringMatching(/^sk-gate-/) } });
      // The shutdown hooks' lines (Redis among them) went to stderr.
      expect(out.stderr).toContain('"msg":"shutdown hook finished"');
    } finally {
      rmSync(env.GATEHOUSE_DATA_DIR, { recursive: true, force: true });
    }
  }, 60_000);
});
