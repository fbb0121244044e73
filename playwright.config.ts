import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig, devices } from "@playwright/test";

// Browser tests run against the real server (`npm start`: migrate, seed, build when stale, mock
// upstream) on a port of its own and a throwaway data directory, in Debian's Chromium when it is
// there (CHROMIUM_PATH, then /usr/bin/chromium), else in Playwright's own browser.

const port = Number(process.env.E2E_PORT ?? 3100 + Math.floor(Math.random() * 800));
const baseURL = `http://localhost:${port}`;
// Kept across Playwright's config reloads in worker processes.
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), "gatehouse-e2e-"));
process.env.E2E_BASE_URL ??= baseURL;

const executablePath = [process.env.CHROMIUM_PATH, "/usr/bin/chromium"].find((p): p is string => Boolean(p && existsSync(p)));

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL: process.env.E2E_BASE_URL,
    trace: "retain-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: {
      executablePath,
      // Without these, Chromium keeps trying to reach Google's services on a machine without a
      // network and stalls; as root it also needs --no-sandbox.
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
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
      NODE_ENV: "production",
      LOG_LEVEL: "info",
    },
  },
});
