import "server-only";
import { Redis } from "ioredis";
import { getConfig } from "@/lib/config";
import { logger as appLogger } from "@/lib/server/logger";
import { onShutdown } from "@/lib/server/shutdown";
import { processSingleton } from "@/lib/server/process-singleton";

/**
 * Redis connections for what several instances share (rate limits, spend reservations, cache
 * invalidation), used only when `REDIS_URL` is set.
 *
 * One command client per process, created on first use and shared by every caller (on
 * `globalThis`: server.ts and Next's bundles load separate copies of this module in one process),
 * plus one subscriber connection for pub/sub, which Redis requires to be separate.
 *
 * The command client fails fast: no offline queue (a command sent while disconnected is rejected
 * at once instead of waiting for a reconnect), no resend of commands caught by a disconnect
 * (`maxRetriesPerRequest: 0` rejects them when the connection drops), and a command timeout for a
 * server that accepts connections but does not answer. Money paths rely on this to refuse within
 * a second rather than hang; see `ensureRedisReady` for the one wait we do allow, the very first
 * connection after start-up. Reconnection runs in the background with capped, jittered backoff.
 */

export type RedisRole = "commands" | "subscriber";

export interface RedisClientOptions {
  role?: RedisRole;
  /** Shown by `CLIENT LIST`. */
  name?: string;
  /** Per-command timeout of the command client (ms). Default 1000. */
  commandTimeoutMs?: number;
  /** Timeout of one connection attempt (ms). Default 2000. */
  connectTimeoutMs?: number;
  logger?: RedisLogger;
}

/** The part of a pino logger used here, so tests can pass a recorder. */
export interface RedisLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Redis is not connected (or not answering): callers decide whether to refuse or fall back. */
export class RedisUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RedisUnavailableError";
  }
}

const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
/** Connection errors are logged at most this often per client (each reconnect attempt fails). */
const ERROR_LOG_INTERVAL_MS = 10_000;

/** Backoff between reconnection attempts: 100 ms doubling to a 2 s cap, with jitter. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(100 * 2 ** Math.min(attempt - 1, 5), 2000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

interface ClientState {
  /** Settles with the outcome of the first connection attempt (true: ready). */
  first: Promise<boolean>;
  firstSettled: boolean;
}

const clientStates = new WeakMap<Redis, ClientState>();

/** Creates a client with the settings above. Callers own it (tests, two-instance simulations). */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const role = options.role ?? "commands";
  const log = options.logger ?? appLogger;
  const client = new Redis(url, {
    connectionName: options.name ?? `gatehouse-${role}`,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    retryStrategy: reconnectDelay,
    ...(role === "commands"
      ? {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          autoResendUnfulfilledCommands: false,
          commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
        }
      : {
          // A subscriber queues SUBSCRIBE until connected and subscribes again after a reconnect.
          enableOfflineQueue: true,
          maxRetriesPerRequest: null,
          autoResubscribe: true,
        }),
  });

  const state: ClientState = { first: Promise.resolve(false), firstSettled: false };
  state.first = new Promise<boolean>((resolve) => {
    const settle = (ok: boolean) => {
      state.firstSettled = true;
      client.off("ready", onReady);
      client.off("error", onFail);
      client.off("end", onFail);
      resolve(ok);
    };
    const onReady = () => settle(true);
    const onFail = () => settle(false);
    client.once("ready", onReady);
    client.once("error", onFail);
    client.once("end", onFail);
  });
  clientStates.set(client, state);

  let lastErrorLog = 0;
  let suppressed = 0;
  let down = false;
  client.on("error", (err: Error) => {
    down = true;
    const now = Date.now();
    if (now - lastErrorLog < ERROR_LOG_INTERVAL_MS) {
      suppressed += 1;
      return;
    }
    lastErrorLog = now;
    log.warn({ err: { message: err.message, code: (err as { code?: string }).code }, role, suppressed }, "redis connection error");
    suppressed = 0;
  });
  client.on("ready", () => {
    if (down) log.info({ role }, "redis connection restored");
    down = false;
  });
  return client;
}

/**
 * Resolves when `client` can take commands now; otherwise throws RedisUnavailableError without
 * waiting, except during the first connection attempt after the client was created, which it
 * waits for (up to `timeoutMs`) so the first requests after start-up are not refused.
 */
export async function ensureRedisReady(client: Redis, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<void> {
  if (client.status === "ready") return;
  const state = clientStates.get(client);
  if (state && !state.firstSettled) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      await Promise.race([state.first, timeout]);
    } finally {
      clearTimeout(timer);
    }
    // (status changed while we waited; TypeScript still holds the narrowed type)
    if ((client.status as string) === "ready") return;
  }
  throw new RedisUnavailableError(`Redis is not connected (status: ${client.status})`);
}

// ---------------------------------------------------------------------------------------------
// The process's shared clients

interface Shared {
  url: string;
  commands?: Redis;
  subscriber?: Redis;
  hooked?: boolean;
}

const SHARED = processSingleton<{ current?: Shared }>("redis", () => ({}));

function shared(): Shared | null {
  const url = getConfig().redisUrl;
  if (!url) return null;
  const current = SHARED.current;
  if (current && current.url === url) return current;
  SHARED.current = { url };
  return SHARED.current;
}

function hookShutdown(s: Shared): void {
  if (s.hooked) return;
  s.hooked = true;
  // After the usage writer and the spend store have flushed (they may still need Redis).
  onShutdown("redis", () => closeRedis(), { order: 900, timeoutMs: 3000 });
}

/** Whether `REDIS_URL` is set, i.e. limits and cache invalidations are shared through Redis. */
export function redisConfigured(): boolean {
  return Boolean(getConfig().redisUrl);
}

/** The shared command client, connecting on first use; null when `REDIS_URL` is unset. */
export function getRedis(): Redis | null {
  const s = shared();
  if (!s) return null;
  if (!s.commands) {
    s.commands = createRedisClient(s.url, { role: "commands" });
    hookShutdown(s);
  }
  return s.commands;
}

/** The shared subscriber connection (pub/sub only); null when `REDIS_URL` is unset. */
export function getRedisSubscriber(): Redis | null {
  const s = shared();
  if (!s) return null;
  if (!s.subscriber) {
    s.subscriber = createRedisClient(s.url, { role: "subscriber" });
    hookShutdown(s);
  }
  return s.subscriber;
}

/** Closes a client: QUIT when connected (pending replies arrive first), otherwise disconnect. */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === "end") return;
  if (client.status === "ready") {
    try {
      await client.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  client.disconnect();
}

/** Closes the shared clients (shutdown hook; also for tests). The next getRedis() reconnects. */
export async function closeRedis(): Promise<void> {
  const s = SHARED.current;
  if (!s) return;
  const clients = [s.commands, s.subscriber].filter((c): c is Redis => c !== undefined);
  s.commands = undefined;
  s.subscriber = undefined;
  await Promise.all(clients.map(closeClient));
}
