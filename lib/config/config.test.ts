import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, ensureSecrets, loadConfig } from "./index";

describe("loadConfig", () => {
  it("has working defaults for the demo: embedded database, localhost, port 3000", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.database.kind).toBe("pglite");
    expect(config.dataDir).toBe(join(process.cwd(), ".data"));
    expect(config.publicUrl).toBe("http://localhost:3000");
    expect(config.mockUpstream.mode).toBe("auto");
    expect(config.trustedProxies).toBe("");
  });

  it("uses PostgreSQL when DATABASE_URL is set", () => {
    expect(loadConfig({ DATABASE_URL: "postgresql://u@db:5432/g" }).database).toEqual({ kind: "postgres", url: "postgresql://u@db:5432/g" });
  });

  it.each([
    [{ PORT: "abc" }, /^Invalid configuration: PORT must be a port number between 0 and 65535 \(got "abc"\)\.$/],
    [{ PORT: "70000" }, /PORT must be a port number/],
    [{ DATABASE_URL: "mysql://x" }, /^Invalid configuration: DATABASE_URL must be a postgresql:\/\/ URL, or unset for the embedded database\.$/],
    [{ REDIS_URL: "http://x" }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ SMTP_URL: "mail.example.com" }, /SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/],
    [{ ADMIN_EMAILS: "a@example.com, not-an-email" }, /ADMIN_EMAILS must be a comma-separated list of email addresses \("not-an-email" is not one\)/],
    [{ GATEHOUSE_PUBLIC_URL: "gate.example.com" }, /GATEHOUSE_PUBLIC_URL must be the http\(s\) origin users reach/],
    [{ GATEHOUSE_PUBLIC_URL: "https://gate.example.com/portal" }, /GATEHOUSE_PUBLIC_URL must be an origin without a path/],
    [{ TRUSTED_PROXIES: "10.0.0.0/8, 10.0.0.300" }, /^Invalid configuration: TRUSTED_PROXIES has invalid entry "10.0.0.300"/],
    [{ MOCK_UPSTREAM: "maybe" }, /MOCK_UPSTREAM must be one of auto, on, off \(got "maybe"\)/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL must be one of fatal, error/],
    [{ SHUTDOWN_DRAIN_MS: "-5" }, /SHUTDOWN_DRAIN_MS must be a whole number of milliseconds/],
    [{ SWEEP_INTERVAL_SECONDS: "0" }, /SWEEP_INTERVAL_SECONDS must be a whole number of seconds greater than 0/],
    [{ METRICS_TOKEN: "short" }, /METRICS_TOKEN must be at least 16 characters/],
  ])("rejects %j with one clear line", (env, message) => {
    let error: unknown;
    try {
      loadConfig(env as Record<string, string>);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });

  it("never echoes a secret value in its error", () => {
    expect(() => loadConfig({ GATEHOUSE_SECRET: "too-short-secret" })).toThrow(/^Invalid configuration: GATEHOUSE_SECRET must be at least 32 characters/);
    expect(() => loadConfig({ GATEHOUSE_SECRET: "too-short-secret" })).not.toThrow(/too-short-secret/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://user:hunter2@db/x" })).not.toThrow(/hunter2/);
  });

  it("requires GATEHOUSE_PUBLIC_URL when serving beyond loopback in production", () => {
    expect(() => loadConfig({ HOST: "0.0.0.0" })).toThrow(/GATEHOUSE_PUBLIC_URL must be set when HOST is not a loopback address/);
    expect(loadConfig({ HOST: "0.0.0.0", GATEHOUSE_PUBLIC_URL: "https://gate.example.com/" }).publicUrl).toBe("https://gate.example.com");
    expect(loadConfig({ HOST: "0.0.0.0", NODE_ENV: "development" }).publicUrl).toBe("http://localhost:3000");
  });

  it("creates a real upstream only for providers with a key, defaulting their base URLs", () => {
    const config = loadConfig({ OPENAI_API_KEY: "sk-test", ANTHROPIC_API_KEY: "x", ANTHROPIC_BASE_URL: "http://127.0.0.1:9/" });
    expect(config.upstreams.openai).toEqual({ apiKey: "sk-test", baseUrl: "https://api.openai.com/v1" });
    expect(config.upstreams.anthropic).toEqual({ apiKey: "x", baseUrl: "http://127.0.0.1:9" });
    expect(config.upstreams.gemini).toBeUndefined();
  });
});

describe("ensureSecrets", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-secrets-"));
    dirs.push(dir);
    return join(dir, "data");
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("generates missing secrets once, owner-only, and reuses them on the next start", () => {
    const dataDir = tempDir();
    const first = ensureSecrets({ dataDir, redisUrl: undefined, env: {} });
    expect(first.generated).toEqual(["AUTH_SECRET", "GATEHOUSE_SECRET", "MARKETPLACE_WEBHOOK_SECRET"]);
    expect(first.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(new Set([first.authSecret, first.gatehouseSecret, first.webhookSecret]).size).toBe(3);
    const file = join(dataDir, "secrets.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);

    const second = ensureSecrets({ dataDir, redisUrl: undefined, env: {} });
    expect(second.generated).toEqual([]);
    expect(second.authSecret).toBe(first.authSecret);
    expect(second.gatehouseSecret).toBe(first.gatehouseSecret);
    expect(JSON.parse(readFileSync(file, "utf8")).gatehouseSecret).toBe(first.gatehouseSecret);
  });

  it("prefers the environment and writes nothing when every secret is set", () => {
    const dataDir = tempDir();
    const env = { authSecret: "a".repeat(32), gatehouseSecret: "g".repeat(32), webhookSecret: "w".repeat(32) };
    const secrets = ensureSecrets({ dataDir, redisUrl: undefined, env });
    expect(secrets).toMatchObject({ ...env, generated: [], fromDataDir: [] });
    expect(() => statSync(dataDir)).toThrow();
  });

  it("refuses to generate per-machine secrets when several instances share Redis", () => {
    expect(() => ensureSecrets({ dataDir: tempDir(), redisUrl: "redis://127.0.0.1:6379", env: { authSecret: "a".repeat(32) } })).toThrow(
      /GATEHOUSE_SECRET, MARKETPLACE_WEBHOOK_SECRET must be set when REDIS_URL is set/,
    );
  });
});
