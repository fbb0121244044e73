// The process `npm start` runs. In order: check Node, read the configuration, migrate, seed a new
// database, build when the build is missing or stale, start the bundled mock upstream when no
// real provider is configured, then serve Next behind a plain node:http server that
//  - decides the client IP itself (X-Forwarded-For is believed only from TRUSTED_PROXIES), and
//  - owns SIGTERM/SIGINT/SIGHUP: drain in-flight requests, run the flush hooks, then exit.
// Everything it prints goes through lib/server/stdio: a stdout nobody reads can neither block nor
// crash it.
// `npm run dev` is the same with Next's dev server and no build.
import { createServer } from "node:http";
import { join } from "node:path";
import next from "next";
import { ConfigError, ensureSecrets, getConfig } from "./lib/config";
import { closeDatabase, getDatabase } from "./lib/db";
import { applyMigrations } from "./lib/db/migrate";
import { DataDirBusyError } from "./lib/db/pglite-lock";
import { PROJECT_ROOT } from "./lib/db/migrations";
import { buildStaleReason, runNextBuild } from "./lib/runtime/build-if-needed";
import { checkNodeVersion } from "./lib/runtime/check-node";
import { fileLimitWarning } from "./lib/runtime/check-file-limit";
import { collectGarbage } from "./lib/runtime/collect-garbage";
import { compileNextConfig } from "./lib/runtime/compile-next-config";
import { prepareUpstreams } from "./lib/runtime/prepare-upstreams";
import { printBanner } from "./lib/runtime/banner";
import { startSweeps } from "./lib/runtime/start-sweeps";
import { invalidateCatalog } from "./lib/gateway/catalog";
import { clearKeyCache, invalidateKey, invalidateOrderKeys } from "./lib/gateway/key-cache";
import { reloadKnownKeys } from "./lib/gateway/known-keys";
import { gatewayFallback, gatewayRoute } from "./lib/gateway/routes";
import { restoreUnwrittenUsage } from "./lib/gateway/usage-writer";
import { startInvalidationListener } from "./lib/cache-bus/invalidation-bus";
import { seedIfEmpty } from "./lib/seed";
import { applyClientIp } from "./lib/server/client-ip";
import { logger } from "./lib/server/logger";
import { installGracefulShutdown, onShutdown, SHUTDOWN_ORDER_LAST, SHUTDOWN_SIGNALS } from "./lib/server/shutdown";
import { makeTerminalOutputNonBlocking, SPILL_FILE_NAME, spillOutputTo, stderr, stdout } from "./lib/server/stdio";
import { parseTrustedProxies } from "./lib/server/trusted-proxies";
import { answerClientError, pathOf, serveWebHandler, type WebHandler } from "./lib/gateway/web-host";
import { serverActionsKey } from "./scripts/release.mjs";

const dev = process.argv.includes("--dev");
/** The listen backlog (see where the server listens). */
const LISTEN_BACKLOG = 4096;
const STEPS = dev ? 5 : 6;
let step = 0;

async function progress<T>(label: string, work: () => Promise<T> | T, done?: (result: T) => string): Promise<T> {
  step += 1;
  const started = Date.now();
  stdout.write(`[${step}/${STEPS}] ${label} ...\n`);
  const result = await work();
  const detail = done ? done(result) : "done";
  stdout.write(`[${step}/${STEPS}] ${label}: ${detail} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return result;
}

function fail(message: string): never {
  stderr.write(`\n${message}\n`);
  process.exit(1);
}

/**
 * Until the server is up, a stop signal ends start-up at once, through `process.exit`: its 'exit'
 * handlers still release the embedded database's lock and keep unwritten output, which dying by
 * the signal would skip. Returns the function that hands the signals to the graceful shutdown.
 */
function exitOnSignalsDuringStartUp(): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    stderr.write(`\n${signal} during start-up: stopping.\n`);
    process.exit(1);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  return () => {
    for (const signal of SHUTDOWN_SIGNALS) process.removeListener(signal, onSignal);
  };
}

async function main() {
  const startUpSignals = exitOnSignalsDuringStartUp();
  makeTerminalOutputNonBlocking();
  const nodeProblem = checkNodeVersion();
  if (nodeProblem) fail(nodeProblem);
  if (dev) (process.env as Record<string, string>).NODE_ENV ??= "development";

  let config;
  try {
    config = getConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  // From here on, lines that stdout or stderr cannot take are kept in the data directory.
  spillOutputTo(join(config.dataDir, SPILL_FILE_NAME));
  const secrets = (() => {
    try {
      return ensureSecrets(config);
    } catch (err) {
      return fail((err as Error).message);
    }
  })();
  // Auth.js and the app read these from the environment; links must use the configured origin.
  process.env.AUTH_SECRET = secrets.authSecret;
  process.env.GATEHOUSE_SECRET = secrets.gatehouseSecret;
  process.env.MARKETPLACE_WEBHOOK_SECRET = secrets.webhookSecret;
  process.env.AUTH_URL = config.publicUrl;
  // Instances given GATEHOUSE_SECRET in their environment (as several instances must be) derive one
  // server-actions key from it, so instances built on their own give each server action the same
  // id (see next.config.ts), and a build made with another key is rebuilt. A secret generated into
  // the data directory belongs to this instance alone: its build's own key serves, and a start
  // with a fresh data directory (tests, benchmarks) reuses the build.
  const sharedSecret = ![...secrets.generated, ...secrets.fromDataDir].includes("GATEHOUSE_SECRET");
  if (sharedSecret) process.env.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY ||= serverActionsKey(secrets.gatehouseSecret);
  if (secrets.generated.length > 0) {
    logger.warn(
      { generated: secrets.generated, dir: config.dataDir },
      "generated missing secrets into the data directory; set them in the environment for production and for several instances",
    );
  } else if (secrets.fromDataDir.length > 0) {
    logger.info({ fromDataDir: secrets.fromDataDir }, "using secrets stored in the data directory");
  }

  stdout.write(
    `Gatehouse on Node ${process.versions.node}, database: ${config.database.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${config.dataDir}`}\n`,
  );
  const database = (() => {
    try {
      return getDatabase();
    } catch (err) {
      if (err instanceof DataDirBusyError) return fail(err.message);
      throw err;
    }
  })();
  onShutdown("database", () => closeDatabase(), { order: SHUTDOWN_ORDER_LAST });

  await progress(
    "Migrating the database",
    () => applyMigrations(database),
    (names) => (names.length ? `applied ${names.join(", ")}` : "up to date"),
  );
  // Usage a previous run could not write before it stopped (see lib/gateway/usage-writer.ts).
  await restoreUnwrittenUsage(() => database, config.dataDir);
  // Next loads next.config.mjs, compiled here from next.config.ts (see that file for why).
  compileNextConfig(PROJECT_ROOT);
  await progress(
    "Seeding demo data",
    () => seedIfEmpty(database.prisma, secrets),
    (r) => (r.seeded ? "seeded" : "already seeded"),
  );
  // The database's start-up garbage (on a fresh data directory, PGlite's unpacked initial
  // database: about 350 MB) goes now, before Next loads, rather than whenever an idle server
  // next collects.
  collectGarbage();
  if (!dev) {
    const reason = buildStaleReason(PROJECT_ROOT, process.env.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY || undefined);
    await progress(
      "Building the app",
      async () => {
        if (reason) await runNextBuild(PROJECT_ROOT);
        return reason;
      },
      (r) => (r ? `built (${r})` : "build is current"),
    );
  }
  const upstreams = await progress(
    "Preparing upstream channels",
    () => prepareUpstreams(database.prisma, config, secrets),
    (u) => u.summary,
  );
  if (upstreams.close) onShutdown("mock upstream", upstreams.close, { order: SHUTDOWN_ORDER_LAST - 1 });

  const trusted = parseTrustedProxies(config.trustedProxies);
  if (!trusted.ok) fail(trusted.error); // already validated by the config; kept for the type

  const server = await progress("Starting the web server", async () => {
    // Under tsx (`npm run dev`, or server.ts run by hand) source maps are on for the whole process,
    // which makes Node keep every Next chunk's map in memory (50–60 MB). npm start's bundle
    // (scripts/start.mjs) never turns them on.
    if (!dev) process.setSourceMapsEnabled(false);
    const app = next({ dev, dir: PROJECT_ROOT, hostname: config.host, port: config.port });
    const handle = app.getRequestHandler();
    await app.prepare();
    // The gateway's endpoints are answered here, with the same handlers as the route files under
    // app/v1: Next's request handling costs most of a small request's CPU, and /v1 needs none of
    // it (no pages, sessions or middleware). Under `npm run dev` they stay with Next, which reloads
    // edited modules; GATEHOUSE_GATEWAY_VIA_NEXT=1 does the same in production (for comparison).
    const viaNext = dev || process.env.GATEHOUSE_GATEWAY_VIA_NEXT === "1";
    // Every other path under /v1 and /v1beta is answered here too, in every mode: JSON in the
    // client's protocol (404 naming the endpoints, 405 with Allow), where Next would answer a
    // page or an empty 405.
    const http = createServer((req, res) => {
      applyClientIp(req, trusted.matcher);
      let gateway: WebHandler | null = null;
      if (req.url?.startsWith("/v1")) {
        const path = pathOf(req.url);
        const endpoint = gatewayRoute(req.method, path);
        gateway = endpoint ? (viaNext ? null : endpoint) : gatewayFallback(req.method, path);
      }
      if (gateway) void serveWebHandler(req, res, gateway, config.publicUrl);
      else void handle(req, res);
    });
    // A request Node's parser refuses (headers over 16 KiB, a garbled request line) is answered
    // with JSON from the error table (431 headers_too_large, 400 invalid_request), not a bare status.
    http.on("clientError", answerClientError);
    // Longer than common load balancers' idle timeouts, so they close first.
    http.keepAliveTimeout = 65_000;
    http.headersTimeout = 66_000;
    // A burst of connections waits in the kernel's accept queue while the event loop is busy, and
    // what overflows it is dropped and retried seconds later, or reset. Node's default is 511; this
    // is the bare proxy's figure (bench/bare-proxy.ts), capped by the kernel at net.core.somaxconn.
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => resolve());
    });
    const files = fileLimitWarning();
    if (files) logger.warn(files);
    return http;
  });
  installGracefulShutdown(server, { drainTimeoutMs: config.shutdownDrainMs });
  startUpSignals();

  // With several instances (REDIS_URL), a change made on one reaches the others' caches at once.
  const stopListening = await startInvalidationListener({
    key: (hmac) => invalidateKey(hmac, { broadcast: false }),
    order: (orderId) => invalidateOrderKeys(orderId, { broadcast: false }),
    plan: () => clearKeyCache({ broadcast: false }),
    catalog: () => invalidateCatalog({ broadcast: false }),
    resync: () => {
      clearKeyCache({ broadcast: false });
      invalidateCatalog({ broadcast: false });
      // Keys created elsewhere while the bus was away are not in the filter of known keys.
      reloadKnownKeys();
    },
  });
  onShutdown("invalidation listener", stopListening, { order: -5 });

  // Reminders, spend alerts and the closing of resolved tickets: claimed in the database, so any
  // number of instances may run it. Stopped before the flushes and the database close.
  const sweeps = startSweeps(() => database.prisma, config.sweepIntervalMs);
  onShutdown("timed sweep", () => sweeps.stop(), { order: -5 });

  if (database.kind === "pglite") {
    // Loaded only now: some commands reach modules (sign-in mail) that need Next's runtime set up.
    const [{ runCommand }, { commands }, { startControlServer }] = await Promise.all([
      import("./cli/command"),
      import("./cli/commands"),
      import("./cli/control-socket"),
    ]);
    const control = await startControlServer(config.dataDir, (argv) =>
      runCommand(commands, argv, { config, database: () => database, secrets: () => secrets }),
    );
    onShutdown("control socket", () => new Promise<void>((resolve) => control.close(() => resolve())), { order: -10 });
  }

  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  await printBanner(database.prisma, config, port);
}

main().catch((err: unknown) => {
  logger.fatal({ err }, "start-up failed");
  stderr.write(`\nStart-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
