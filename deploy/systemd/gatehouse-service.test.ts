import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { envSchema } from "@/lib/config/schema";
import { DEADLINE_MARGIN_MS, DEFAULT_HOOK_TIMEOUT_MS, HARD_DEADLINE_AFTER_MS } from "@/lib/server/shutdown";

// systemd sends SIGKILL TimeoutStopSec after SIGTERM. The server ends itself by its own deadline
// (the drain, every shutdown hook's limit, a margin) and kills itself a little later if blocked;
// the unit must wait longer than both, or the kill cuts the usage flush short. The hooks are found
// in the sources, so a new hook or a longer limit that outgrows the unit fails here.

const root = fileURLToPath(new URL("../..", import.meta.url));
const SKIP = new Set(["node_modules", ".next", "build", "compat", "e2e", "test", ".git", ".data"]);

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sources(path, out);
    else if (/\.tsx?$/.test(entry.name) && !/\.(test|spec)\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Every `onShutdown("name", …)` registration of the server's code, with its time limit. */
function shutdownHooks(): { name: string; where: string; timeoutMs: number }[] {
  const hooks = [];
  for (const file of sources(root)) {
    for (const call of readFileSync(file, "utf8").matchAll(/\bonShutdown\(\s*"([^"]+)"([^;]*)\);/g)) {
      const limit = /timeoutMs:\s*([\d_]+)/.exec(call[2]!)?.[1];
      hooks.push({ name: call[1]!, where: relative(root, file), timeoutMs: limit ? Number(limit.replaceAll("_", "")) : DEFAULT_HOOK_TIMEOUT_MS });
    }
  }
  return hooks;
}

it("the unit waits longer before SIGKILL than the server's own shutdown deadline with the defaults, and the README says so", () => {
  const hooks = shutdownHooks();
  // The ones known today, so that the scan itself cannot silently find nothing.
  expect(hooks.map((h) => h.name).sort()).toEqual(
    expect.arrayContaining(["control socket", "database", "invalidation listener", "mock upstream", "redis", "spend store", "timed sweep", "usage writer"]),
  );
  const hooksMs = hooks.reduce((sum, h) => sum + h.timeoutMs, 0);
  const drainMs = envSchema.parse({}).SHUTDOWN_DRAIN_MS;
  const deadlineMs = drainMs + hooksMs + DEADLINE_MARGIN_MS;
  const selfKillMs = deadlineMs + HARD_DEADLINE_AFTER_MS;

  const unit = readFileSync(join(root, "deploy/systemd/gatehouse@.service"), "utf8");
  const stopSec = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]);
  // At least 10 s more than the latest moment the process can still be running.
  expect(stopSec * 1000).toBeGreaterThanOrEqual(selfKillMs + 10_000);

  // The rule given to operators: the grace period exceeds SHUTDOWN_DRAIN_MS by 50 s.
  expect(hooksMs + DEADLINE_MARGIN_MS + HARD_DEADLINE_AFTER_MS).toBeLessThanOrEqual(50_000);
  const readme = readFileSync(join(root, "README.md"), "utf8").replace(/\s+/g, " ");
  expect(readme).toContain(`(${hooksMs / 1000} s at most:`);
  expect(readme).toContain(`${deadlineMs / 1000} s at most with the defaults`);
  expect(readme).toContain(`\`SHUTDOWN_DRAIN_MS\` plus ${(hooksMs + DEADLINE_MARGIN_MS) / 1000} s, ${deadlineMs / 1000} s with the defaults`);
  expect(readme).toContain(`\`TimeoutStopSec=${stopSec}\``);
  expect(readme).toContain(`\`terminationGracePeriodSeconds: ${stopSec}\``);
  expect(unit.replace(/\s*\n#\s*/g, " ")).toContain(`${deadlineMs / 1000} s with the defaults`);
});
