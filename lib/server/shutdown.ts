/**
 * Graceful shutdown: drain HTTP connections, then run flush hooks, then exit.
 *
 * Modules register hooks with `onShutdown` (the gateway's metering flush, the database disconnect
 * last). On SIGTERM, SIGINT or SIGHUP (a closed terminal) `installGracefulShutdown` stops
 * accepting connections, lets in-flight requests finish up to a drain timeout, closes what is
 * left, runs the hooks in order and exits 0, or 1 when a hook failed or timed out. The CLI runs the
 * same hooks at its exit with `runShutdownHooks()`.
 *
 * Whatever happens, the process ends by a deadline: the drain timeout plus every hook's timeout
 * plus `DEADLINE_MARGIN_MS`. Each step is bounded by its own timer and nothing on this path waits
 * synchronously (log lines cannot block: see nonblocking-output.ts), so the deadline timer can
 * always fire; a worker thread kills the process shortly after it in case something else blocked
 * the main thread (hard-deadline.ts).
 *
 * The hook registry and the draining flag live on `globalThis`: server.ts (its own bundle) and the
 * app code (bundled by Next) load separate copies of this module in the same process, and a hook
 * registered from a route's module must run when server.ts handles the signal, just as
 * `isDraining()` in /api/health must see the state server.ts set.
 *
 * No `server-only` import here: server.ts loads this module outside Next's bundler.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";

import { armHardDeadline } from "./hard-deadline";
import { logger as appLogger } from "./logger";
import { processSingleton } from "./process-singleton";

/** The subset of a pino logger used here, so tests can pass a recorder. */
export interface ShutdownLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** pino's: resolves once buffered lines are written, so the last lines survive `exit`. */
  flush?(cb?: (err?: Error) => void): void;
}

export interface ShutdownHookOptions {
  /** Lower runs first; equal orders run in registration order. Default 0. */
  order?: number;
  /** How long the hook may take before it is abandoned and counted as failed. Default 5 s. */
  timeoutMs?: number;
}

export interface ShutdownHookResult {
  name: string;
  status: "ok" | "failed" | "timeout";
  durationMs: number;
}

export interface ShutdownReport {
  /** False when any hook threw, rejected or timed out. */
  ok: boolean;
  hooks: ShutdownHookResult[];
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
export const DEFAULT_HOOK_TIMEOUT_MS = 5_000;
/** Order for steps that must come after every flush, such as closing the database. */
export const SHUTDOWN_ORDER_LAST = 1_000;
/** Time on top of the drain and the hooks' timeouts, for the last log lines and the exit. */
export const DEADLINE_MARGIN_MS = 2_000;
/** A blocked main thread is killed this long after the deadline (see hard-deadline.ts). */
export const HARD_DEADLINE_AFTER_MS = 1_000;
/** Signals that start the shutdown: SIGHUP is what closing the terminal that runs `npm start` sends. */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP"];

interface Hook {
  name: string;
  fn: () => Promise<void> | void;
  order: number;
  seq: number;
  timeoutMs: number;
}

/**
 * An ordered set of shutdown hooks that runs at most once. The process-wide instance behind
 * `onShutdown`/`runShutdownHooks` is usually all that is needed; separate instances are for tests.
 */
export class ShutdownRegistry {
  private hooks: Hook[] = [];
  private seq = 0;
  private run: Promise<ShutdownReport> | null = null;

  /** Registers a hook; returns a function that unregisters it. */
  register(name: string, fn: () => Promise<void> | void, options: ShutdownHookOptions = {}): () => void {
    const hook: Hook = {
      name,
      fn,
      order: options.order ?? 0,
      seq: this.seq++,
      timeoutMs: options.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
    };
    this.hooks.push(hook);
    return () => {
      this.hooks = this.hooks.filter((h) => h !== hook);
    };
  }

  get size(): number {
    return this.hooks.length;
  }

  /** The longest `runAll` can take: every hook's timeout. */
  timeoutBudgetMs(): number {
    return this.hooks.reduce((sum, hook) => sum + hook.timeoutMs, 0);
  }

  /**
   * Runs every hook once, one after another in order. Each hook has its own timeout; a failure is
   * logged and the remaining hooks still run. Later calls return the first run's report, so the
   * signal handler and the CLI's exit path can both call it safely.
   */
  runAll(options: { logger?: ShutdownLogger } = {}): Promise<ShutdownReport> {
    this.run ??= this.execute(options.logger ?? appLogger);
    return this.run;
  }

  private async execute(log: ShutdownLogger): Promise<ShutdownReport> {
    const ordered = [...this.hooks].sort((a, b) => a.order - b.order || a.seq - b.seq);
    const results: ShutdownHookResult[] = [];
    for (const hook of ordered) {
      results.push(await runHook(hook, log));
    }
    return { ok: results.every((r) => r.status === "ok"), hooks: results };
  }
}

async function runHook(hook: Hook, log: ShutdownLogger): Promise<ShutdownHookResult> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), hook.timeoutMs);
  });
  try {
    // `.then` turns a synchronous throw into a rejection as well.
    const outcome = await Promise.race([
      Promise.resolve()
        .then(hook.fn)
        .then(() => "ok" as const),
      timedOut,
    ]);
    const durationMs = Date.now() - started;
    if (outcome === "timeout") {
      log.error({ hook: hook.name, timeoutMs: hook.timeoutMs }, "shutdown hook timed out");
    } else {
      log.info({ hook: hook.name, durationMs }, "shutdown hook finished");
    }
    return { name: hook.name, status: outcome, durationMs };
  } catch (err) {
    const durationMs = Date.now() - started;
    log.error({ hook: hook.name, durationMs, err }, "shutdown hook failed");
    return { name: hook.name, status: "failed", durationMs };
  } finally {
    clearTimeout(timer);
  }
}

interface ShutdownGlobalState {
  registry: ShutdownRegistry;
  draining: boolean;
}

function state(): ShutdownGlobalState {
  return processSingleton("shutdown", () => ({ registry: new ShutdownRegistry(), draining: false }));
}

/**
 * Registers a flush hook to run after the HTTP server has drained (and at the CLI's exit).
 * Use `order: SHUTDOWN_ORDER_LAST` for the database disconnect. Returns an unregister function.
 * A hook registered after the hooks have started running is not run.
 */
export function onShutdown(name: string, fn: () => Promise<void> | void, options: ShutdownHookOptions = {}): () => void {
  return state().registry.register(name, fn, options);
}

/** Runs the process-wide hooks once (see `ShutdownRegistry.runAll`). */
export function runShutdownHooks(options: { logger?: ShutdownLogger } = {}): Promise<ShutdownReport> {
  return state().registry.runAll(options);
}

/** True from the first shutdown signal on: /api/health answers 503 so load balancers move away. */
export function isDraining(): boolean {
  return state().draining;
}

export interface GracefulShutdownOptions {
  /** How long in-flight requests may take before their connections are closed. Default 10 s. */
  drainTimeoutMs?: number;
  logger?: ShutdownLogger;
  /** Called with the exit code at the end; defaults to `process.exit`. Tests inject a recorder. */
  exit?: (code: number) => void;
  /** Default `SHUTDOWN_SIGNALS`. */
  signals?: readonly NodeJS.Signals[];
  /**
   * Arms the last resort against a blocked main thread: kills the process after the given
   * milliseconds unless it has ended; returns a disarm function. Defaults to `armHardDeadline`
   * when `exit` is `process.exit`, and to nothing when a test injects `exit`.
   */
  hardDeadline?: (afterMs: number) => () => void;
  /** Defaults to the process-wide registry that `onShutdown` fills. */
  registry?: ShutdownRegistry;
}

export interface GracefulShutdown {
  /** Starts the same sequence a signal starts; resolves with the exit code once `exit` was called. */
  shutdown(reason?: string): Promise<number>;
  /** Removes the signal and request listeners and clears the draining flag (for tests). */
  uninstall(): void;
}

/**
 * pino writes asynchronously; without a flush, lines still in flight when `exit` runs can come out
 * of order or late. Bounded so a stuck stdout cannot hold the process.
 */
function flushLogger(log: ShutdownLogger): Promise<void> {
  const flush = log.flush?.bind(log);
  if (flush === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    try {
      flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

type Phase = "running" | "draining" | "flushing" | "done";

/**
 * Owns SIGTERM, SIGINT and SIGHUP for `server`. On the first signal: `isDraining()` turns true,
 * the listener closes (new connections are refused), idle keep-alive connections are closed, and
 * responses still to be written carry `Connection: close` so clients do not reuse them. When every
 * connection has ended, or after `drainTimeoutMs`, the remaining connections are destroyed and
 * the hooks run; then `exit(0)`, or `exit(1)` if a hook failed or the deadline passed. A second
 * signal while draining skips the rest of the wait; a signal while the hooks run is logged and
 * ignored, because the hooks are already bounded by their own timeouts.
 */
export function installGracefulShutdown(server: Server, options: GracefulShutdownOptions = {}): GracefulShutdown {
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const log = options.logger ?? appLogger;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const hardDeadline = options.hardDeadline ?? (options.exit ? undefined : armHardDeadline);
  const signals = options.signals ?? SHUTDOWN_SIGNALS;
  const registry = options.registry ?? state().registry;
  const shared = state();

  let phase: Phase = "running";
  let forceClose: (() => void) | null = null;
  let result: Promise<number> | null = null;
  const open = new Set<ServerResponse>();

  const closeIdleSoon = () => {
    // The socket becomes idle only after the response's 'close' handlers have run.
    setImmediate(() => server.closeIdleConnections());
  };

  // Prepended so it runs before the application's handler can write headers.
  const onRequest = (_req: IncomingMessage, res: ServerResponse) => {
    if (phase !== "running") res.setHeader("Connection", "close");
    open.add(res);
    res.once("close", () => {
      open.delete(res);
      if (phase === "draining") closeIdleSoon();
    });
  };
  server.prependListener("request", onRequest);

  const drain = () =>
    new Promise<boolean>((resolve) => {
      let settled = false;
      const finish = (clean: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        forceClose = null;
        resolve(clean);
      };
      const closeRemaining = (why: string) => {
        log.warn({ openRequests: open.size, reason: why }, "closing remaining connections");
        server.closeAllConnections();
        finish(false);
      };
      const timer = setTimeout(() => closeRemaining("drain timeout"), drainTimeoutMs);
      forceClose = () => closeRemaining("second signal");
      server.close((err) => {
        if (err && (err as NodeJS.ErrnoException).code !== "ERR_SERVER_NOT_RUNNING") {
          log.error({ err }, "server close failed");
        }
        finish(true);
      });
      server.closeIdleConnections();
    });

  /** Drain, then the hooks; resolves with the exit code. */
  const steps = async (): Promise<number> => {
    let code = 1;
    try {
      const drained = await drain();
      log.info({ drained }, drained ? "connections drained" : "connections closed before finishing");
      phase = "flushing";
      const report = await registry.runAll({ logger: log });
      code = report.ok ? 0 : 1;
      const failed = report.hooks.filter((h) => h.status !== "ok").map((h) => h.name);
      log.info({ code, hooks: report.hooks.length, failed }, "shutdown complete");
    } catch (err) {
      log.error({ err }, "shutdown failed");
    }
    await flushLogger(log);
    return code;
  };

  const sequence = async (reason: string): Promise<number> => {
    phase = "draining";
    shared.draining = true;
    const deadlineMs = drainTimeoutMs + registry.timeoutBudgetMs() + DEADLINE_MARGIN_MS;
    log.info({ reason, drainTimeoutMs, deadlineMs, openRequests: open.size }, "shutting down: draining connections");
    for (const res of open) {
      if (!res.headersSent) res.setHeader("Connection", "close");
    }
    const disarm = hardDeadline?.(deadlineMs + HARD_DEADLINE_AFTER_MS);

    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        log.error({ deadlineMs, phase }, "shutdown deadline passed: exiting now");
        resolve(1);
      }, deadlineMs);
    });
    const code = await Promise.race([steps(), overdue]);
    clearTimeout(timer);
    phase = "done";
    disarm?.();
    exit(code);
    return code;
  };

  const shutdown = (reason = "shutdown requested"): Promise<number> => {
    result ??= sequence(reason);
    return result;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (phase === "running") {
      void shutdown(signal);
    } else if (phase === "draining") {
      log.warn({ signal }, "second signal while draining: closing connections now");
      forceClose?.();
    } else {
      log.warn({ signal }, "signal ignored: shutdown hooks are running");
    }
  };
  // `process.emit(signal)` passes no argument, so each listener knows its own signal.
  const listeners = signals.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);

  return {
    shutdown,
    uninstall() {
      for (const [signal, listener] of listeners) process.removeListener(signal, listener);
      server.removeListener("request", onRequest);
      shared.draining = false;
    },
  };
}
