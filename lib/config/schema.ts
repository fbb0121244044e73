import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { parseTrustedProxies } from "../server/trusted-proxies";
import { isValidTimeZone, parseOpeningHours } from "../time/business-hours";

// Every environment variable of the run contract, parsed once. Keep the descriptions short and
// concrete: a bad value is reported as "<NAME>: <what is expected> (got ...)".

const optionalString = z
  .string()
  .transform((v) => v.trim())
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const port = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        ctx.addIssue({ code: "custom", message: "a port number between 0 and 65535" });
        return z.NEVER;
      }
      return n;
    });

const positiveInt = (fallback: number, what: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) {
        ctx.addIssue({ code: "custom", message: what });
        return z.NEVER;
      }
      return n;
    });

function urlWithProtocols(protocols: string[], what: string) {
  return optionalString.pipe(
    z
      .string()
      .refine((v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, what)
      .optional(),
  );
}

const secret = optionalString.pipe(z.string().min(32, "at least 32 characters (e.g. `openssl rand -base64 32`)").optional());

const emailList = optionalString.transform((v, ctx) => {
  if (!v) return [] as string[];
  const emails = v
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  for (const email of emails) {
    if (!z.email().safeParse(email).success) {
      ctx.addIssue({ code: "custom", message: `a comma-separated list of email addresses ("${email}" is not one)` });
      return z.NEVER;
    }
  }
  return emails;
});

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: port(3000),
  HOST: optionalString.default("127.0.0.1"),
  DATABASE_URL: urlWithProtocols(["postgresql:", "postgres:"], "a postgresql:// URL, or unset for the embedded database"),
  GATEHOUSE_DATA_DIR: optionalString.default(".data"),
  REDIS_URL: urlWithProtocols(["redis:", "rediss:"], "a redis:// or rediss:// URL, or unset"),
  AUTH_SECRET: secret,
  GATEHOUSE_SECRET: secret,
  MARKETPLACE_WEBHOOK_SECRET: secret,
  SMTP_URL: urlWithProtocols(["smtp:", "smtps:"], "an smtp:// or smtps:// URL, or unset to write sign-in links to the log"),
  EMAIL_FROM: optionalString.default("Gatehouse <no-reply@localhost>"),
  ADMIN_EMAILS: emailList,
  SIGN_IN_LINK_TTL_SECONDS: positiveInt(15 * 60, "a whole number of seconds greater than 0"),
  GATEHOUSE_PUBLIC_URL: urlWithProtocols(["http:", "https:"], "the http(s) origin users reach, e.g. https://gate.example.com"),
  TRUSTED_PROXIES: optionalString.superRefine((v, ctx) => {
    const parsed = parseTrustedProxies(v);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: `TRUSTED_PROXIES has ${parsed.error}` });
  }),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: urlWithProtocols(["http:", "https:"], "an http(s) URL"),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: urlWithProtocols(["http:", "https:"], "an http(s) URL"),
  GEMINI_API_KEY: optionalString,
  GEMINI_BASE_URL: urlWithProtocols(["http:", "https:"], "an http(s) URL"),
  UPSTREAM_HTTP2: z.enum(["off", "on"]).default("off"),
  MOCK_UPSTREAM: z.enum(["auto", "on", "off"]).default("auto"),
  MOCK_UPSTREAM_PORT: port(0),
  SHUTDOWN_DRAIN_MS: positiveInt(10_000, "a whole number of milliseconds greater than 0"),
  SWEEP_INTERVAL_SECONDS: positiveInt(60, "a whole number of seconds greater than 0"),
  SUPPORT_EMAILS: emailList,
  SUPPORT_HOURS: optionalString.default("09:00-17:00").refine((v) => parseOpeningHours(v) !== null, "opening hours on weekdays like 09:00-17:00"),
  SUPPORT_TIME_ZONE: optionalString.default("UTC").refine(isValidTimeZone, "an IANA time zone such as Europe/Berlin"),
  SUPPORT_FIRST_RESPONSE_HOURS: positiveInt(4, "a whole number of business hours greater than 0"),
  METRICS_TOKEN: optionalString.refine(
    (v) => v === undefined || v.length >= 16,
    "at least 16 characters (a scraper's bearer token), or unset to serve no /metrics",
  ),
  SECRET_SCANNING_KEYS_URL: urlWithProtocols(["http:", "https:"], "the http(s) URL of GitHub's secret-scanning public keys, or unset for GitHub's own"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type RawEnv = z.output<typeof envSchema>;

export function absoluteDataDir(dir: string, cwd = process.cwd()): string {
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}
