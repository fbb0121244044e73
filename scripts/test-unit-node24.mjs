// npm run test:unit:node24 — the Vitest tests of the code whose behaviour can change with the
// runtime, on Node 24, beside `npm run test:unit` (the whole suite) on the Node that runs npm. The
// Node 24 binary is the Linux x64 or arm64 build pinned in compat/node24 (installed here when
// missing, as e2e/node24.spec.ts does; `.ci/run` installs it up front). Elsewhere there is no pinned
// binary: the run is skipped with a notice, except under CI, where that is a failure.
//
// Which tests: RUNTIME_DEPENDENT below, the folders whose code meets Node itself — node:http and
// undici, Web streams and sockets, child processes and signals, the file system, crypto (Auth.js,
// HMACs, signatures), Intl (times), WASM (PGlite), the drivers of PostgreSQL, Redis and SMTP. The
// domain's folders (actions, pages, keys, tickets, orders, seeds …) run the same JavaScript on any
// Node and are tested once, by `npm run test:unit`.
// Arguments replace the list: `npm run test:unit:node24 -- lib/keys` runs just that.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const compat = resolve("compat/node24");
const node24 = join(compat, "node_modules", `node-${process.platform}-${process.arch}`, "bin", "node");

if (!existsSync(node24)) {
  const supported = process.platform === "linux" && (process.arch === "x64" || process.arch === "arm64");
  if (!supported) {
    console.error(`No Node 24 is pinned for ${process.platform}-${process.arch} (compat/node24 has Linux x64 and arm64): the Node 24 unit run is skipped.`);
    process.exit(process.env.CI ? 1 : 0);
  }
  console.error("Installing compat/node24 (Node 24 and the newest SDK majors) ...");
  const install = spawnSync("npm", ["ci", "--prefix", compat, "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (install.status !== 0 || !existsSync(node24)) {
    console.error("Could not install compat/node24.");
    process.exit(1);
  }
}

const RUNTIME_DEPENDENT = [
  "lib/gateway",
  "lib/server",
  "lib/db",
  "lib/mock-upstream",
  "lib/translate",
  "lib/limits",
  "lib/redis",
  "lib/cache-bus",
  "lib/billing",
  "lib/credentials",
  "lib/runtime",
  "lib/mail",
  "lib/notifications",
  "lib/marketplace",
  "lib/secret-scanning",
  "lib/health",
  "lib/metrics",
  "lib/auth",
  "lib/errors",
  "lib/time",
  "app/api",
  "deploy",
  "scripts",
];

const version = spawnSync(node24, ["--version"], { encoding: "utf8" }).stdout.trim();
console.error(`Vitest on Node ${version}`);
const filters = process.argv.length > 2 ? process.argv.slice(2) : RUNTIME_DEPENDENT;
const run = spawnSync(node24, [resolve("node_modules/vitest/vitest.mjs"), "run", ...filters], { stdio: "inherit" });
process.exit(run.status ?? 1);
