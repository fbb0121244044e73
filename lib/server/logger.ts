/**
 * The application's logger: pino writing one JSON object per line to stdout, no transports (no
 * worker threads), secrets redacted. Lines go through `stdout` of ./stdio, not pino's own
 * destination: a log line can never block the process or throw, and lines stdout cannot take go
 * to a file in the data directory (see nonblocking-output.ts for why).
 *
 * Level: `LOG_LEVEL` (fatal, error, warn, info, debug, trace, silent), default `info`. Under
 * Vitest the default is `silent` so test output stays readable; set `LOG_LEVEL` to see logs there.
 * An unknown value falls back to the default with a warning instead of crashing at import.
 *
 * Redaction covers the credential headers and secret-looking fields listed in `REDACT_PATHS`, at
 * the top level and up to two objects deep (`headers.authorization`,
 * `req.headers.authorization`). pino cannot redact part of a string, so URLs go through
 * `redactUrl()`; the `url` field of a logged object is passed through it automatically.
 *
 * The logger lives on `globalThis` so that server.ts (bundled by scripts/start.mjs, or run by tsx)
 * and the app (bundled by Next) share one instance and one stdout stream in the same process.
 *
 * No `server-only` import here: server.ts loads this module outside Next's bundler.
 */
import pino, { type DestinationStream, type Level, type Logger } from "pino";

import { stderr, stdout } from "./stdio";
import { processSingleton } from "./process-singleton";

export type { Logger } from "pino";

const CENSOR = "[redacted]";

const SECRET_HEADERS = ["authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "cookie", "set-cookie"];
const SECRET_FIELDS = ["apiKey", "key", "secret", "password", "token"];

function pathsFor(name: string): string[] {
  const identifier = /^[A-Za-z_$][\w$]*$/.test(name);
  const segment = identifier ? `.${name}` : `["${name}"]`;
  return [identifier ? name : segment, `*${segment}`, `*.*${segment}`];
}

/** Paths pino censors, whatever the log call: the field at depth 1, 2 or 3. */
export const REDACT_PATHS: readonly string[] = [...SECRET_HEADERS, ...SECRET_FIELDS].flatMap(pathsFor);

/**
 * Query parameters that carry credentials: `key` is how Gemini clients send their API key; the
 * rest are common spellings of the same thing.
 */
const SECRET_QUERY_PARAMS = ["key", "api_key", "apikey", "api-key", "access_token", "token", "secret", "password"];
const QUERY_SECRET_RE = new RegExp(`([?&;](?:${SECRET_QUERY_PARAMS.join("|")})=)[^&#;]*`, "gi");
const USERINFO_PASSWORD_RE = /^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^@/?#]*@/i;

/**
 * Replaces credential values in a URL or path with `[redacted]`: query parameters such as `key=`
 * (`/v1beta/models/x:generateContent?key=AIza…`) and the password of `scheme://user:pass@host`
 * (database, Redis and SMTP URLs). Everything else is returned exactly as given.
 */
export function redactUrl(url: string): string {
  return url.replace(USERINFO_PASSWORD_RE, `$1${CENSOR}@`).replace(QUERY_SECRET_RE, `$1${CENSOR}`);
}

const LEVELS: readonly string[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function levelFromEnv(env: Readonly<Record<string, string | undefined>>): { level: Level | "silent"; invalid?: string } {
  const fallback = env.VITEST ? "silent" : "info";
  const raw = env.LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return { level: fallback };
  if (LEVELS.includes(raw)) return { level: raw as Level | "silent" };
  return { level: fallback, invalid: env.LOG_LEVEL };
}

export interface CreateLoggerOptions {
  /** Overrides `LOG_LEVEL`. */
  level?: Level | "silent";
  /**
   * Where lines go; when omitted, the non-blocking stdout, or stderr when `GATEHOUSE_LOG_STREAM`
   * is `stderr` (the CLI, whose stdout is its answer). Tests pass a stream to inspect the output.
   */
  destination?: DestinationStream;
  /** Overrides `process.env` as the source of `LOG_LEVEL`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Builds a logger with the application's settings. Use `logger` unless you need another sink. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const fromEnv = levelFromEnv(options.env ?? process.env);
  const instance = pino(
    {
      level: options.level ?? fromEnv.level,
      redact: { paths: [...REDACT_PATHS], censor: CENSOR },
      serializers: {
        err: pino.stdSerializers.err,
        url: (value: unknown) => (typeof value === "string" ? redactUrl(value) : value),
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? ((options.env ?? process.env).GATEHOUSE_LOG_STREAM === "stderr" ? stderr : stdout),
  );
  if (fromEnv.invalid !== undefined && options.level === undefined) {
    instance.warn({ LOG_LEVEL: fromEnv.invalid, using: fromEnv.level }, "unknown LOG_LEVEL; using the default");
  }
  return instance;
}

/** The process-wide logger. Use `logger.child({ component: "gateway" })` for a component. */
export const logger: Logger = processSingleton("logger", () => createLogger());
