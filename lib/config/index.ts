import { isIP } from "node:net";
import { z } from "zod";
import { absoluteDataDir, envSchema } from "./schema";
import { ensureSecrets as ensureSecretsFor, type Secrets } from "./secrets";
import { processSingleton } from "@/lib/server/process-singleton";
import { parseOpeningHours, type BusinessHours } from "@/lib/time/business-hours";

export { ensureSecrets, type Secrets } from "./secrets";

export type DatabaseConfig = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

export interface Config {
  nodeEnv: "development" | "production" | "test";
  port: number;
  host: string;
  publicUrl: string;
  publicUrlIsDefault: boolean;
  dataDir: string;
  database: DatabaseConfig;
  redisUrl: string | undefined;
  smtpUrl: string | undefined;
  emailFrom: string;
  adminEmails: string[];
  /** How long a mailed sign-in link works. */
  signInLinkTtlSeconds: number;
  trustedProxies: string;
  upstreams: {
    openai: { apiKey: string; baseUrl: string } | undefined;
    anthropic: { apiKey: string; baseUrl: string } | undefined;
    gemini: { apiKey: string; baseUrl: string } | undefined;
  };
  /** Every upstream call over HTTP/2 (UPSTREAM_HTTP2=on): ALPN over TLS, prior knowledge over http. */
  upstreamHttp2: boolean;
  mockUpstream: { mode: "auto" | "on" | "off"; port: number };
  shutdownDrainMs: number;
  /** How often the timed sweep (reminders, alerts, ticket closing) runs, before jitter. */
  sweepIntervalMs: number;
  /** The support desk: who is mailed about new tickets (none: every agent and admin), opening hours, first-response target. */
  support: { emails: string[]; hours: BusinessHours; firstResponseHours: number };
  /** Where the public keys that sign GitHub's secret-scanning reports are published. */
  secretScanning: { keysUrl: string };
  logLevel: string;
  /** Bearer token a Prometheus scraper sends to /metrics; unset serves no metrics. */
  metricsToken: string | undefined;
  /** Secrets given in the environment; missing ones come from ensureSecrets(). */
  env: { authSecret?: string; gatehouseSecret?: string; webhookSecret?: string };
}

/** A configuration problem: one line naming the variable and what it expects. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Where GitHub publishes the keys that sign its secret-scanning partner reports. */
export const GITHUB_SECRET_SCANNING_KEYS_URL = "https://api.github.com/meta/public_keys/secret_scanning";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1"]);

function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || (isIP(host) === 4 && host.startsWith("127."));
}

function describe(value: unknown): string {
  if (value === undefined) return "unset";
  const text = String(value);
  return `"${text.length > 60 ? `${text.slice(0, 57)}...` : text}"`;
}

// Secrets and keys must never be echoed back, even in a start-up error.
const SECRET_VARIABLES = /SECRET|API_KEY|PASSWORD|DATABASE_URL|REDIS_URL|SMTP_URL/;

function formatIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = String(issue.path[0] ?? "environment");
  if (issue.message.startsWith(`${name} `)) return issue.message.replace(/\.$/, "");
  const got = SECRET_VARIABLES.test(name) ? "" : ` (got ${describe(env[name])})`;
  let expected = issue.message;
  if (issue.code === "invalid_value" && "values" in issue) expected = `one of ${issue.values.join(", ")}`;
  return `${name} must be ${expected}${got}`;
}

/**
 * Parses the environment. Throws ConfigError with one clear line for the first bad variable.
 * Pure apart from reading `env`, so tests pass their own.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(`Invalid configuration: ${first ? formatIssue(first, env) : "unknown problem"}.`);
  }
  const e = parsed.data;

  let publicUrl = e.GATEHOUSE_PUBLIC_URL;
  if (publicUrl) {
    const url = new URL(publicUrl);
    if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
      throw new ConfigError(
        `Invalid configuration: GATEHOUSE_PUBLIC_URL must be an origin without a path, e.g. https://gate.example.com (got ${describe(publicUrl)}).`,
      );
    }
    publicUrl = url.origin;
  } else if (e.NODE_ENV === "production" && !isLoopback(e.HOST)) {
    throw new ConfigError(
      "Invalid configuration: GATEHOUSE_PUBLIC_URL must be set when HOST is not a loopback address (mailed links and setup snippets use it; it is never taken from a request's Host header).",
    );
  }

  const dataDir = absoluteDataDir(e.GATEHOUSE_DATA_DIR);
  const upstream = (apiKey: string | undefined, baseUrl: string | undefined, fallback: string) =>
    apiKey ? { apiKey, baseUrl: (baseUrl ?? fallback).replace(/\/+$/, "") } : undefined;

  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: publicUrl ?? `http://localhost:${e.PORT}`,
    publicUrlIsDefault: !publicUrl,
    dataDir,
    database: e.DATABASE_URL ? { kind: "postgres", url: e.DATABASE_URL } : { kind: "pglite", dataDir },
    redisUrl: e.REDIS_URL,
    smtpUrl: e.SMTP_URL,
    emailFrom: e.EMAIL_FROM,
    adminEmails: e.ADMIN_EMAILS,
    signInLinkTtlSeconds: e.SIGN_IN_LINK_TTL_SECONDS,
    trustedProxies: e.TRUSTED_PROXIES ?? "",
    upstreams: {
      openai: upstream(e.OPENAI_API_KEY, e.OPENAI_BASE_URL, "https://api.openai.com/v1"),
      anthropic: upstream(e.ANTHROPIC_API_KEY, e.ANTHROPIC_BASE_URL, "https://api.anthropic.com"),
      gemini: upstream(e.GEMINI_API_KEY, e.GEMINI_BASE_URL, "https://generativelanguage.googleapis.com"),
    },
    upstreamHttp2: e.UPSTREAM_HTTP2 === "on",
    mockUpstream: { mode: e.MOCK_UPSTREAM, port: e.MOCK_UPSTREAM_PORT },
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    sweepIntervalMs: e.SWEEP_INTERVAL_SECONDS * 1000,
    support: {
      emails: e.SUPPORT_EMAILS,
      hours: { ...parseOpeningHours(e.SUPPORT_HOURS)!, timeZone: e.SUPPORT_TIME_ZONE },
      firstResponseHours: e.SUPPORT_FIRST_RESPONSE_HOURS,
    },
    secretScanning: { keysUrl: e.SECRET_SCANNING_KEYS_URL ?? GITHUB_SECRET_SCANNING_KEYS_URL },
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN,
    env: { authSecret: e.AUTH_SECRET, gatehouseSecret: e.GATEHOUSE_SECRET, webhookSecret: e.MARKETPLACE_WEBHOOK_SECRET },
  };
}

const CONFIG = processSingleton<{ current?: Config }>("config", () => ({}));

/** The process's configuration, parsed on first use. */
export function getConfig(): Config {
  CONFIG.current ??= loadConfig();
  return CONFIG.current;
}

/** Forget the cached configuration and secrets (tests that change the environment). */
export function resetConfig(): void {
  delete CONFIG.current;
  delete SECRETS.current;
}

const SECRETS = processSingleton<{ current?: Secrets }>("secrets", () => ({}));

/**
 * The process's secrets. server.ts resolves them at start and exports them to the environment;
 * inside Next (same process) and in tests this reads them the same way, once.
 */
export function getSecrets(): Secrets {
  SECRETS.current ??= ensureSecretsFor(getConfig());
  return SECRETS.current;
}
