import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { randomTestPort } from "./e2e/fixtures/test-port";

// Browser tests run against the real server (`npm start`: migrate, seed, build when stale, mock
// upstream) on a port of its own and a throwaway data directory, in Debian's Chromium when it is
// there (CHROMIUM_PATH, then the headless shell, then /usr/bin/chromium; see executablePath below),
// else in Playwright's own browser.

const port = Number(process.env.E2E_PORT ?? randomTestPort(3100, 800));
const baseURL = `http://localhost:${port}`;
// Kept across Playwright's config reloads in worker processes.
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), "gatehouse-e2e-"));
process.env.E2E_BASE_URL ??= baseURL;
// The SMTP sink (e2e/global-setup.ts) listens here and appends every message it receives to the
// mail file, which the specs read. The port is fixed now because the server is given SMTP_URL
// when it starts, before global setup runs; it only connects when it first sends mail.
// Below the kernel's ephemeral range (32768+), so an outgoing connection cannot already hold it.
process.env.E2E_SMTP_PORT ??= String(20_000 + Math.floor(Math.random() * 12_000));
process.env.E2E_MAIL_FILE ??= join(process.env.E2E_DATA_DIR, "e2e-mail.jsonl");
// GitHub's secret-scanning public keys, as e2e/secret-scanning.spec.ts publishes them (a key pair
// it makes): fixed now for the same reason as the SMTP port; the server fetches them on the first
// report only.
process.env.E2E_SECRET_SCANNING_KEYS_PORT ??= String(Number(process.env.E2E_SMTP_PORT) + 1);
// The server-actions key is derived from GATEHOUSE_SECRET, which is generated anew in each run's
// data directory, and a build made with another key is rebuilt. A fixed key for the tests keeps
// one build for every run and for the extra servers specs start from this checkout
// (e2e/fixtures/server-process.ts), whatever their secrets. A test value, never a deployment's.
process.env.E2E_SERVER_ACTIONS_KEY ??= Buffer.alloc(32, 7).toString("base64");
// The bearer token the main test server's /metrics asks for (e2e/operations.spec.ts).
process.env.E2E_METRICS_TOKEN ??= "e2e-metrics-token-0123456789";
const E2E_METRICS_TOKEN = process.env.E2E_METRICS_TOKEN;

/**
 * Specs that change nothing another spec reads: they use only servers they start themselves
 * (e2e/fixtures/server-process.ts), or only accounts and keys of their own on the main test
 * server. They run in two lanes beside the main lane, grouped so the three take about as long
 * (seconds measured on two loaded cores). Every other spec, including any new one, runs in the
 * main lane, one after another: a spec that switches off a channel or edits a price others use
 * must stay there.
 */
const SIDE_LANES = [
  // Two separately built instances behind a balancer (~340 s, mostly the two builds), servers
  // stopped by signals (~75 s), the keyboard paths (~40 s), and cross-origin actions and
  // cross-account requests on the main server (~20 s).
  ["instances-builds.spec.ts", "shutdown-signals.spec.ts", "keyboard.spec.ts", "cross-origin-actions.spec.ts", "cross-account.spec.ts"],
  // Limits across two instances (~150 s) and poisoned metering (~90 s) on servers of their own, keys
  // kept out of logs and pages on servers of their own (~40 s); axe (~90 s), sign-in (~55 s),
  // console access (~25 s) and the pages' security headers (~40 s) on the main server.
  [
    "axe.spec.ts",
    "sign-in.spec.ts",
    "console-access.spec.ts",
    "limits-instances.spec.ts",
    "metering-poison.spec.ts",
    "secrets.spec.ts",
    "security-headers.spec.ts",
  ],
].map((names) => names.map((name) => `**/${name}`));

// Headless runs take Chromium's headless shell where it is installed (Debian: chromium-headless-shell,
// the same build as chromium), as Playwright's own headless runs do: the full browser in its new
// headless mode took half again as much CPU for the same specs (e2e/keyboard.spec.ts: 20.3 CPU-s
// against 13.2), and the three lanes share two cores. A window (--headed, --debug, --ui) needs the
// full browser. Decided in the runner and inherited by the workers, which load this file again
// with arguments of their own.
process.env.E2E_HEADED ??= process.argv.some((arg) => ["--headed", "--debug", "--ui"].includes(arg)) || process.env.PWDEBUG ? "1" : "";
const executablePath = [process.env.CHROMIUM_PATH, ...(process.env.E2E_HEADED ? [] : ["/usr/lib/chromium/chromium-headless-shell"]), "/usr/bin/chromium"].find(
  (p): p is string => Boolean(p && existsSync(p)),
);

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  // Three lanes, one worker each, serial within a lane: the main lane and two side lanes
  // (SIDE_LANES). The lanes share nothing a spec asserts on but the SMTP sink, where each spec
  // reads its own addresses.
  workers: 3,
  projects: [
    { name: "main lane", testIgnore: SIDE_LANES.flat(), workers: 1 },
    { name: "side lane 1", testMatch: SIDE_LANES[0], workers: 1 },
    { name: "side lane 2", testMatch: SIDE_LANES[1], workers: 1 },
  ],
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // Generous: three lanes share two cores.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL: process.env.E2E_BASE_URL,
    // A trace of every test, kept when it fails, for `npx playwright show-trace`. Not under CI: a CI
    // run keeps nothing but its output, and recording was a third of the browser tests' CPU time
    // (e2e/keyboard.spec.ts: 31.7 CPU-s with traces, 20.9 without), on cores the three lanes share.
    trace: process.env.CI ? "off" : "retain-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: {
      executablePath,
      // Without these, Chromium keeps trying to reach Google's services on a machine without a
      // network and stalls; as root it also needs --no-sandbox.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: "npm start",
    url: `${process.env.E2E_BASE_URL}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    env: {
      PORT: new URL(process.env.E2E_BASE_URL).port,
      GATEHOUSE_DATA_DIR: process.env.E2E_DATA_DIR,
      GATEHOUSE_PUBLIC_URL: process.env.E2E_BASE_URL,
      NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: process.env.E2E_SERVER_ACTIONS_KEY,
      NODE_ENV: "production",
      LOG_LEVEL: "info",
      // Upstream fault tests: a hanging channel is given up after this long.
      UPSTREAM_TIMEOUT_MS: "3000",
      SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
      SECRET_SCANNING_KEYS_URL: `http://127.0.0.1:${process.env.E2E_SECRET_SCANNING_KEYS_PORT}/meta/public_keys/secret_scanning`,
      EMAIL_FROM: "Gatehouse <no-reply@gatehouse.test>",
      // Short enough that a test can watch a link expire, long enough to use one in a test.
      SIGN_IN_LINK_TTL_SECONDS: "20",
      // Reminders go out within seconds of becoming due, so a spec can wait for one.
      SWEEP_INTERVAL_SECONDS: "5",
      // The specs act as the reverse proxy in front of the server: a request that sends
      // X-Forwarded-For from 127.0.0.1 is believed. Sign-in specs use that to appear as distinct
      // clients, so the per-IP sign-in limit does not couple unrelated tests. A request without
      // the header is still identified by its socket address.
      TRUSTED_PROXIES: "127.0.0.1/32",
      // e2e/operations.spec.ts scrapes /metrics with it.
      METRICS_TOKEN: E2E_METRICS_TOKEN,
    },
  },
});
